using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Benchmarks;

/// <summary>
/// The hub as a separate Release process on a fresh database in a temporary folder, on a free loopback port,
/// with the channel a benchmark calls it through (authenticated with the development credential the hub
/// writes on its first start).
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly string? _postgres;

    private HubProcess(Process process, string folder, string? postgres, string token, Uri address, GrpcChannel channel, Uri httpAddress, HttpClient json)
    {
        _process = process;
        _folder = folder;
        _postgres = postgres;
        Token = token;
        Address = address;
        Channel = channel;
        HttpAddress = httpAddress;
        Json = json;
    }

    /// <summary>Where the hub's HTTP (JSON) endpoint listens.</summary>
    public Uri HttpAddress { get; }

    /// <summary>An authenticated HTTP/1.1 client of the hub's JSON endpoint (one connection per call in flight).</summary>
    public HttpClient Json { get; }

    /// <summary>Where the hub listens.</summary>
    public Uri Address { get; }

    /// <summary>An authenticated channel to the hub.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The development admin's token the channels use.</summary>
    public string Token { get; }

    /// <summary>
    /// A channel as the development e-TPP caller (the scopes of the adjustments' pull), whose token the hub's first start
    /// wrote beside the development admin's; the caller disposes it.
    /// </summary>
    public GrpcChannel EtppChannel()
    {
        const string prefix = "EBAKUL_ETPP_TOKEN=";
        var token = File.ReadAllLines(Path.Combine(_folder, "dev-credentials.env")).Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
    }

    /// <summary>The hub's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts the hub with extra configuration switches and waits until it serves: on a fresh SQLite file, or on the
    /// PostgreSQL database <paramref name="postgres"/> (a connection string). A further replica of a hub already serving
    /// that database is given the first one's <paramref name="token"/> (only the first start writes the development
    /// credentials). <paramref name="pageBytes"/>: the page size of the new SQLite file, or null for the hub's own.
    /// </summary>
    public static Task<HubProcess> StartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout, string? postgres = null, string? token = null,
        int? pageBytes = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ebakul-bench", Guid.NewGuid().ToString("N"));
        if (postgres is null && pageBytes is { } bytes) CreateEmptySqliteFile(Path.Combine(folder, "ebakul.db"), bytes);
        return StartAsync(hubDll, settings, startupTimeout, folder, postgres, token);
    }

    /// <summary>
    /// Creates an empty SQLite file in WAL mode with pages of <paramref name="pageBytes"/>: the hub keeps the page size of a
    /// file it finds, as it does for a database created by an earlier release.
    /// </summary>
    public static void CreateEmptySqliteFile(string path, int pageBytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA page_size={pageBytes}; PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Stops this hub without deleting its database and starts a fresh hub process on it with
    /// <paramref name="settings"/>: a hub that serves an existing database, not one that has just generated it.
    /// </summary>
    public async Task<HubProcess> RestartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout)
    {
        await StopProcessAsync();
        Channel.Dispose();
        Json.Dispose();
        return await StartAsync(hubDll, settings, startupTimeout, _folder, _postgres, Token);
    }

    private static async Task<HubProcess> StartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout, string folder,
        string? postgres, string? token)
    {
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The hub reads appsettings.json from its content root, the working directory: its own folder.
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(hubDll))!,
        };
        info.ArgumentList.Add(hubDll);
        info.ArgumentList.Add($"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}");
        var httpPort = FreePort();
        info.ArgumentList.Add($"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}");
        info.ArgumentList.Add($"--Kestrel:Endpoints:Management:Url=http://127.0.0.1:{FreePort()}");
        // On PostgreSQL the path only places the development credentials' file.
        info.ArgumentList.Add($"--Database:Path={Path.Combine(folder, "ebakul.db")}");
        if (postgres is not null)
        {
            info.ArgumentList.Add("--Database:Provider=Postgres");
            info.ArgumentList.Add($"--ConnectionStrings:Postgres={postgres}");
        }
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var setting in settings) info.ArgumentList.Add(setting);
        info.Environment["DOTNET_gcServer"] = "1";

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the hub");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}");
        var deadline = DateTime.UtcNow + startupTimeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the hub exited with {process.ExitCode}:\n{string.Join('\n', log)}");
            // A channel per probe: a channel refused while the hub loads backs off for up to two minutes before it
            // tries again, which would count as start-up time.
            using var probe = GrpcChannel.ForAddress(address);
            try
            {
                var reply = await new Health.HealthClient(probe).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving) break;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the hub did not serve within {startupTimeout}:\n{string.Join('\n', log)}");
            await Task.Delay(250);
        }

        token ??= File.ReadAllLines(Path.Combine(folder, "dev-credentials.env"))
            .Single(l => l.StartsWith("EBAKUL_TOKEN=", StringComparison.Ordinal))["EBAKUL_TOKEN=".Length..];
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            },
        });
        var httpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        var json = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = httpAddress, DefaultRequestVersion = System.Net.HttpVersion.Version11,
        };
        json.DefaultRequestHeaders.Add("Authorization", $"Bearer {token}");
        return new HubProcess(process, folder, postgres, token, address, channel, httpAddress, json);
    }

    /// <summary>What Linux tells of the hub process: CPU time, peak memory, bytes written.</summary>
    public ProcessUsage Usage => new(_process.Id);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Json.Dispose();
        await StopProcessAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Stops the hub the way a service manager does (SIGTERM, so it shuts down in order), killing it after 30 s.</summary>
    private async Task StopProcessAsync()
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsLinux()) Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
