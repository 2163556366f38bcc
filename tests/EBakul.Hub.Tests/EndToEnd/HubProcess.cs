using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>What one <c>buf curl</c> run printed and how it ended.</summary>
public sealed record BufResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The real hub as an operator runs it: the built <c>EBakul.Hub.dll</c> started with <c>dotnet</c> as its own
/// process, on a free loopback port and a fresh SQLite file, called with <c>buf curl</c> through server
/// reflection. Start-up waits (generously) until <c>grpc.health.v1.Health/Check</c> answers SERVING. The
/// process is always killed at the end, also when start-up fails or the test run is torn down.
/// </summary>
public sealed class HubProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(1);

    private readonly StringBuilder _output = new();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ebakul-e2e", Guid.NewGuid().ToString("N"));
    private Process? _process;

    /// <summary>The repository root (the folder holding EBakul.sln).</summary>
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The buf executable installed by scripts/install-tools.sh.</summary>
    public string Buf => Path.Combine(RepositoryRoot, "node_modules", ".bin", "buf");

    /// <summary>The hub's base address, e.g. http://127.0.0.1:43121.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The SQLite file the hub runs on.</summary>
    public string DatabasePath => Path.Combine(_dataDirectory, "hub.db");

    /// <summary>Everything the hub printed so far.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Extra command-line settings the hub is started with (small demo data: the demo run command).</summary>
    public static readonly string[] Settings =
        ["--DemoData:Enabled=true", "--DemoData:Merchants=400", "--DemoData:Employees=60", "--DemoData:PurchasesPerEmployee=4"];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(Buf))
            throw new InvalidOperationException($"buf is not installed at {Buf}: run scripts/install-tools.sh");
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        try
        {
            // A port picked free can be taken by someone else before the hub binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Start(FreeLoopbackPort());
                if (await WaitUntilServingAsync()) return;
                if (attempt == 3)
                    throw new InvalidOperationException($"the hub did not start (exit code {_process!.ExitCode}):\n{Output}");
            }
        }
        catch
        {
            Kill();
            throw;
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Kill();
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
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

    private void Start(int port)
    {
        Kill();
        Address = $"http://127.0.0.1:{port}";
        var hubDll = FindHubDll();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The hub reads appsettings.json from its content root: the folder it was built into.
            WorkingDirectory = Path.GetDirectoryName(hubDll)!,
        };
        start.ArgumentList.Add(hubDll);
        start.ArgumentList.Add($"--Kestrel:Endpoints:Grpc:Url={Address}");
        start.ArgumentList.Add($"--Database:Path={DatabasePath}");
        foreach (var setting in Settings) start.ArgumentList.Add(setting);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>True once the hub answers SERVING; false when the process ended first.</summary>
    private async Task<bool> WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Health.HealthClient(channel);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process!.HasExited) return false;
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving) return true;
            }
            catch (RpcException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the hub did not answer SERVING within {StartTimeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private void KillOnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        var process = _process;
        if (process is null) return;
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The hub as built by its own project (same configuration as the tests), else the copy beside the tests.</summary>
    private string FindHubDll()
    {
        var configuration = typeof(HubProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var built = Path.Combine(RepositoryRoot, "src", "EBakul.Hub", "bin", configuration, framework, "EBakul.Hub.dll");
        if (File.Exists(built)) return built;
        var beside = Path.Combine(AppContext.BaseDirectory, "EBakul.Hub.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException("EBakul.Hub.dll is not built", built);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EBakul.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no EBakul.sln above {AppContext.BaseDirectory}");
    }
}
