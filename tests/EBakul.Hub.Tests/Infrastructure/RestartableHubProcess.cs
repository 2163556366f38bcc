using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// The real hub as an operator runs it: the built <c>EBakul.Hub.dll</c> started with <c>dotnet</c> as its own process,
/// on a free loopback port and a given SQLite file with extra settings. Start-up waits (generously) until
/// <c>grpc.health.v1.Health/Check</c> answers SERVING. A test can kill it outright (no shutdown, like a crash or a
/// power cut) and start it again on the same database. The process is always killed when this is disposed, when
/// start-up fails, or when the test run ends.
/// </summary>
public sealed class RestartableHubProcess(string databasePath, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>The running hub's base address, e.g. http://127.0.0.1:43121 (empty before the first start).</summary>
    public string Address { get; private set; } = "";

    /// <summary>The hub's HTTP endpoint (JSON, gRPC-Web, pages), e.g. <c>http://127.0.0.1:5081</c>.</summary>
    public string HttpAddress { get; private set; } = "";

    /// <summary>The hub's management endpoint (metrics, HTTP health), e.g. <c>http://127.0.0.1:5082</c>.</summary>
    public string ManagementAddress { get; private set; } = "";

    /// <summary>
    /// When set (before the start), the gRPC and HTTP endpoints are served over TLS (<c>https://</c>) with
    /// <see cref="ServerCertificate"/>, a certificate this authority issues; start-up waits over TLS trusting it.
    /// </summary>
    public EBakul.EtppSimulator.Tests.Infrastructure.TestPki? Tls { get; init; }

    /// <summary>The server certificate of a hub started with <see cref="Tls"/> (its files can be replaced to renew it).</summary>
    public EBakul.EtppSimulator.Tests.Infrastructure.PemPair? ServerCertificate { get; private set; }

    /// <summary>Whether the hub process is running (false once it ended, on its own or stopped by the test).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// The settings that put a hub on the test run's store for a database path (the hub tests set it to
    /// <c>TestStore.SettingsFor</c>: PostgreSQL when the run is on PostgreSQL); none: the SQLite file at the path.
    /// </summary>
    public static Func<string, IEnumerable<KeyValuePair<string, string?>>>? StoreSettings { get; set; }

    /// <summary>Environment variables of the hub's process (e.g. <c>OTEL_*</c>), set before it starts.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    /// <summary>Everything the hub printed so far, over all its runs.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the hub (on a free port) and waits until it answers SERVING.</summary>
    public async Task StartAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        try
        {
            // A port picked free can be taken by someone else before the hub binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Start(FreeLoopbackPort());
                if (await WaitUntilServingAsync()) return;
                if (attempt == 3) throw new InvalidOperationException($"the hub did not start:\n{Output}");
            }
        }
        catch
        {
            Kill();
            throw;
        }
    }

    /// <summary>Kills the hub at once (no graceful shutdown) and waits until it is gone.</summary>
    public void Kill()
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
        Append("---- killed ----");
    }

    /// <summary>Asks the hub to stop (SIGTERM, as a service manager does) and waits until it has; returns its exit code.</summary>
    public int Terminate()
    {
        var process = _process ?? throw new InvalidOperationException("the hub is not running");
        _process = null;
        if (SendSignal(process.Id, 15) != 0) throw new InvalidOperationException("SIGTERM could not be sent");
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the hub did not stop within 60 s of SIGTERM:\n{Output}");
        }
        // The timed wait does not wait for the redirected output; this one does, so Output holds the hub's last log lines.
        process.WaitForExit();
        var exitCode = process.ExitCode;
        process.Dispose();
        Append($"---- stopped by SIGTERM, exit code {exitCode} ----");
        return exitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        return ValueTask.CompletedTask;
    }

    /// <summary>A loopback port free right now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The folder holding EBakul.sln.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EBakul.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no EBakul.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// The hub as built by its own project (same configuration and framework as the tests; for tests built for a
    /// framework the hub does not target, such as the client's net8.0 tests, the hub's own framework), else the copy
    /// beside the tests.
    /// </summary>
    public static string FindHubDll()
    {
        var configuration = typeof(RestartableHubProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var hubBin = Path.Combine(FindRepositoryRoot(), "src", "EBakul.Hub", "bin", configuration);
        var built = Path.Combine(hubBin, framework, "EBakul.Hub.dll");
        if (File.Exists(built)) return built;
        if (Directory.Exists(hubBin)
            && Directory.GetDirectories(hubBin).Select(d => Path.Combine(d, "EBakul.Hub.dll")).Where(File.Exists).ToArray() is [var hubFramework])
            return hubFramework;
        var beside = Path.Combine(AppContext.BaseDirectory, "EBakul.Hub.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException("EBakul.Hub.dll is not built", built);
    }

    private void Start(int port)
    {
        Kill();
        var scheme = Tls is null ? "http" : "https";
        Address = $"{scheme}://127.0.0.1:{port}";
        HttpAddress = $"{scheme}://127.0.0.1:{FreeLoopbackPort()}";
        ManagementAddress = $"http://127.0.0.1:{FreeLoopbackPort()}";
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
        start.ArgumentList.Add($"--Kestrel:Endpoints:Http:Url={HttpAddress}");
        start.ArgumentList.Add($"--Kestrel:Endpoints:Management:Url={ManagementAddress}");
        if (Tls is not null)
        {
            ServerCertificate ??= Tls.IssueServer("hub");
            foreach (var endpoint in new[] { "Grpc", "Http" })
            {
                start.ArgumentList.Add($"--Kestrel:Endpoints:{endpoint}:Certificate:Path={ServerCertificate.CertificatePath}");
                start.ArgumentList.Add($"--Kestrel:Endpoints:{endpoint}:Certificate:KeyPath={ServerCertificate.KeyPath}");
            }
        }
        start.ArgumentList.Add($"--Database:Path={databasePath}");
        if (StoreSettings is { } store)
            foreach (var (key, value) in store(databasePath)) start.ArgumentList.Add($"--{key}={value}");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in Environment) start.Environment[name] = value;

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
        using var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = Tls?.Handler() });
        var health = new Health.HealthClient(channel);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            if (_process is not { HasExited: false }) return false;
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving) return true;
            }
            catch (RpcException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the hub did not answer SERVING within {StartTimeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private void KillOnExit(object? sender, EventArgs e) => Kill();
}
