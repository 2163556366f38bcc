using System.Diagnostics;
using System.Text;
using EBakul.Hub.Tests.EndToEnd;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// The real hub (the built <c>EBakul.Hub.dll</c>) as its own process on a given SQLite file with extra settings, the
/// way <see cref="HubProcess"/> runs it, but one that a test can kill outright (no shutdown, like a crash or a power cut)
/// and start again on the same database. The process is always killed when this is disposed or the test run ends.
/// </summary>
public sealed class PushHubProcess(string databasePath, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly StringBuilder _output = new();
    private Process? _process;

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
        // A port picked free can be taken by someone else before the hub binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var address = Start(HubProcess.FreeLoopbackPort());
            if (await WaitUntilServingAsync(address)) return;
            if (attempt == 3) throw new InvalidOperationException($"the hub did not start:\n{Output}");
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

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        return ValueTask.CompletedTask;
    }

    private string Start(int port)
    {
        Kill();
        var address = $"http://127.0.0.1:{port}";
        var hubDll = HubProcess.FindHubDll();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(hubDll)!,
        };
        start.ArgumentList.Add(hubDll);
        start.ArgumentList.Add($"--Kestrel:Endpoints:Grpc:Url={address}");
        start.ArgumentList.Add($"--Database:Path={databasePath}");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return address;
    }

    /// <summary>True once the hub answers SERVING; false when the process ended first.</summary>
    private async Task<bool> WaitUntilServingAsync(string address)
    {
        using var channel = GrpcChannel.ForAddress(address);
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
