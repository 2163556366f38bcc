using System.Diagnostics;
using EBakul.Hub.Tests.Infrastructure;
using Xunit;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>What one <c>buf curl</c> run printed and how it ended.</summary>
public sealed record BufResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The real hub as an operator runs it (<see cref="RestartableHubProcess"/>) on a fresh SQLite file with small demo
/// data, called with <c>buf curl</c> through server reflection.
/// </summary>
public sealed class HubProcess : IAsyncLifetime
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(1);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ebakul-e2e", Guid.NewGuid().ToString("N"));
    private readonly RestartableHubProcess _hub;

    /// <summary>Prepares the hub; xunit starts it (<see cref="InitializeAsync"/>).</summary>
    public HubProcess() => _hub = new RestartableHubProcess(DatabasePath, Settings);

    /// <summary>The repository root (the folder holding EBakul.sln).</summary>
    public string RepositoryRoot { get; } = RestartableHubProcess.FindRepositoryRoot();

    /// <summary>The buf executable installed by scripts/install-tools.sh.</summary>
    public string Buf => Path.Combine(RepositoryRoot, "node_modules", ".bin", "buf");

    /// <summary>The hub's base address, e.g. http://127.0.0.1:43121.</summary>
    public string Address => _hub.Address;

    /// <summary>The hub's HTTP endpoint (JSON, OpenAPI, reference page, dashboard), e.g. http://127.0.0.1:43122.</summary>
    public string HttpAddress => _hub.HttpAddress;

    /// <summary>The hub's management endpoint (metrics, HTTP health), e.g. http://127.0.0.1:43123.</summary>
    public string ManagementAddress => _hub.ManagementAddress;

    /// <summary>The SQLite file the hub runs on.</summary>
    public string DatabasePath => Path.Combine(_dataDirectory, "hub.db");

    /// <summary>Everything the hub printed so far.</summary>
    public string Output => _hub.Output;

    /// <summary>Extra settings the hub is started with (small demo data: the demo run command).</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["DemoData:Enabled"] = "true",
        ["DemoData:Merchants"] = "400",
        ["DemoData:Employees"] = "60",
        ["DemoData:PurchasesPerEmployee"] = "4",
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(Buf))
            throw new InvalidOperationException($"buf is not installed at {Buf}: run scripts/install-tools.sh");
        await _hub.StartAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The development admin token the hub wrote beside its database on its first start
    /// (<c>dev-credentials.env</c>, <c>EBAKUL_TOKEN=...</c>).
    /// </summary>
    public string DevelopmentToken() =>
        File.ReadLines(Path.Combine(_dataDirectory, "dev-credentials.env"))
            .Single(line => line.StartsWith("EBAKUL_TOKEN=", StringComparison.Ordinal))["EBAKUL_TOKEN=".Length..];

    /// <summary>
    /// Runs <c>buf curl --protocol grpc --http2-prior-knowledge</c> against the hub, authenticated with the
    /// development token: with a
    /// <paramref name="method"/> ("package.Service/Method") and optional JSON <paramref name="data"/>, or with
    /// the extra <paramref name="options"/> alone (e.g. <c>--list-services</c>).
    /// </summary>
    public async Task<BufResult> CurlAsync(string? method, string? data = null, params string[] options)
    {
        var start = new ProcessStartInfo(Buf)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in new[] { "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--timeout", "30s" }.Concat(options))
            start.ArgumentList.Add(argument);
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add($"authorization: Bearer {DevelopmentToken()}");
        if (data is not null)
        {
            start.ArgumentList.Add("--data");
            start.ArgumentList.Add(data);
        }
        start.ArgumentList.Add(method is null ? Address : $"{Address}/{method}");

        using var buf = Process.Start(start) ?? throw new InvalidOperationException("buf did not start");
        var stdout = buf.StandardOutput.ReadToEndAsync();
        var stderr = buf.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            await buf.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            buf.Kill(entireProcessTree: true);
            throw new TimeoutException($"buf curl {method} did not finish within {CallTimeout}");
        }
        return new BufResult(buf.ExitCode, await stdout, await stderr);
    }
}
