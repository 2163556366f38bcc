using System.Diagnostics;

namespace EBakul.Benchmarks;

/// <summary>The figures of one scenario.</summary>
public sealed record ScenarioResult(string Name, long Operations, string Unit, TimeSpan Elapsed, double[] LatenciesMs, long PeakMemoryBytes)
{
    /// <summary>The baseline measured on the same hub and channel (null for a baseline itself).</summary>
    public ScenarioResult? Baseline { get; init; }

    /// <summary>CPU time the hub used while measured (all threads), or zero when unknown.</summary>
    public TimeSpan HubCpu { get; init; }

    /// <summary>CPU time of the hub's database writer thread while measured, or zero when unknown.</summary>
    public TimeSpan WriterCpu { get; init; }

    /// <summary>Bytes of files the hub wrote while measured (the WAL and the checkpoints' copies), or zero when unknown.</summary>
    public long BytesWritten { get; init; }

    /// <summary>CPU time of the PostgreSQL server's processes while measured (zero on SQLite, or when unknown).</summary>
    public TimeSpan DatabaseCpu { get; init; }

    /// <summary>Bytes of files the PostgreSQL server wrote while measured, its WAL and a checkpoint at the end (zero on SQLite).</summary>
    public long DatabaseBytesWritten { get; init; }

    /// <summary>Bytes written to files per operation by the hub and the database server, in KiB.</summary>
    public double KibibytesWrittenPerOperation => Operations == 0 ? double.NaN : (BytesWritten + DatabaseBytesWritten) / 1024.0 / Operations;

    /// <summary>Database server CPU time per operation, in microseconds (PostgreSQL only).</summary>
    public double DatabaseCpuMicrosPerOperation => Operations == 0 ? double.NaN : DatabaseCpu.TotalMicroseconds / Operations;

    /// <summary>Hub CPU time per operation, in microseconds.</summary>
    public double HubCpuMicrosPerOperation => Operations == 0 ? double.NaN : HubCpu.TotalMicroseconds / Operations;

    /// <summary>Writer CPU time per operation, in microseconds.</summary>
    public double WriterCpuMicrosPerOperation => Operations == 0 ? double.NaN : WriterCpu.TotalMicroseconds / Operations;

    /// <summary>Operations per second.</summary>
    public double Throughput => Operations / Elapsed.TotalSeconds;

    /// <summary>A latency percentile in milliseconds (NaN without latencies).</summary>
    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        var index = (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1;
        return LatenciesMs[Math.Clamp(index, 0, LatenciesMs.Length - 1)];
    }
}

/// <summary>Runs a call repeatedly with a fixed number in flight and records every latency.</summary>
public static class LoadRun
{
    /// <summary>
    /// Keeps <paramref name="inFlight"/> calls running for <paramref name="warmUp"/> (not counted: the hub's JIT
    /// compiles the path meanwhile) and then for <paramref name="duration"/>; <paramref name="call"/> gets a running
    /// number and must complete one operation.
    /// </summary>
    public static async Task<(long Count, TimeSpan Elapsed, double[] LatenciesMs)> RunAsync(
        int inFlight, TimeSpan warmUp, TimeSpan duration, Func<long, Task> call, Action? measuring = null)
    {
        long sequence = 0;
        var warmUpUntil = Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var stopAt = warmUpUntil + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<double>[inFlight];
        var measuredStart = 0L;

        async Task Worker(int worker)
        {
            var latencies = perWorker[worker] = new List<double>(1 << 16);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= stopAt) return;
                await call(Interlocked.Increment(ref sequence));
                var end = Stopwatch.GetTimestamp();
                if (start >= warmUpUntil) latencies.Add((end - start) * 1000.0 / Stopwatch.Frequency);
            }
        }

        var workers = Enumerable.Range(0, inFlight).Select(i => Task.Run(() => Worker(i))).ToArray();
        await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (warmUpUntil - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
        measuredStart = Stopwatch.GetTimestamp();
        measuring?.Invoke();
        await Task.WhenAll(workers);
        var elapsed = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - Math.Min(measuredStart, stopAt)) / (double)Stopwatch.Frequency);
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return (all.LongLength, elapsed, all);
    }
}
