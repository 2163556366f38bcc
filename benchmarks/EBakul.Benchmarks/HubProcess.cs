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

    private HubProcess(Process process, string folder, Uri address, GrpcChannel channel)
    {
        _process = process;
        _folder = folder;
        Address = address;
        Channel = channel;
    }

    /// <summary>Where the hub listens.</summary>
    public Uri Address { get; }

    /// <summary>An authenticated channel to the hub.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The hub's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the hub with extra configuration switches and waits until it serves.</summary>
    public static Task<HubProcess> StartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout) =>
        StartAsync(hubDll, settings, startupTimeout, Path.Combine(Path.GetTempPath(), "ebakul-bench", Guid.NewGuid().ToString("N")));

    /// <summary>
    /// Stops this hub without deleting its database and starts a fresh hub process on it with
    /// <paramref name="settings"/>: a hub that serves an existing database, not one that has just generated it.
    /// </summary>
    public async Task<HubProcess> RestartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout)
    {
        await StopProcessAsync();
        Channel.Dispose();
        return await StartAsync(hubDll, settings, startupTimeout, _folder);
    }

    private static async Task<HubProcess> StartAsync(string hubDll, IEnumerable<string> settings, TimeSpan startupTimeout, string folder)
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
        info.ArgumentList.Add($"--Database:Path={Path.Combine(folder, "ebakul.db")}");
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

        var token = File.ReadAllLines(Path.Combine(folder, "dev-credentials.env"))
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
        return new HubProcess(process, folder, address, channel);
    }

    /// <summary>Resets the kernel's peak-RSS counter of the hub (Linux; no-op elsewhere).</summary>
    public void ResetPeakMemory()
    {
        try { File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Peak resident memory of the hub since the last reset, in bytes (Linux VmHWM); 0 when unknown.</summary>
    public long PeakMemoryBytes() => ProcValue("status", "VmHWM:") * 1024;

    /// <summary>
    /// Bytes of files the hub has written so far, as the kernel counts them for the disk (<c>write_bytes</c> of Linux's
    /// /proc/.../io: the WAL's frames and the checkpoints' copies into the database file); zero elsewhere.
    /// </summary>
    public long BytesWritten() => ProcValue("io", "write_bytes:");

    /// <summary>The number after <paramref name="key"/> in the hub's /proc/&lt;pid&gt;/<paramref name="file"/>; 0 when unknown.</summary>
    private long ProcValue(string file, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/{file}").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// CPU time the hub has used so far (user + system), in total and on its database writer thread (Linux; zero
    /// elsewhere).
    /// </summary>
    public (TimeSpan Total, TimeSpan Writer) CpuTime()
    {
        try
        {
            var total = Ticks(File.ReadAllText($"/proc/{_process.Id}/stat"));
            var writer = TimeSpan.Zero;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == "ebakul-db-write") writer = Ticks(File.ReadAllText(Path.Combine(task, "stat")));
            }
            return (total, writer);
        }
        catch (IOException)
        {
            return (TimeSpan.Zero, TimeSpan.Zero);
        }

        // Fields 14 and 15 of /proc/.../stat (utime, stime) in clock ticks of 10 ms, counted after the command name.
        static TimeSpan Ticks(string stat)
        {
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromMilliseconds((long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) * 10);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
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
