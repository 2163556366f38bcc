using System.Globalization;
using System.Runtime.InteropServices;

namespace EBakul.Benchmarks;

/// <summary>Prints the figures as a Markdown table.</summary>
public static class Report
{
    /// <summary>Writes the table; each ratio is to the baseline measured on the same hub process and channel.</summary>
    public static void Print(IReadOnlyList<ScenarioResult> results, BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"e-Bakul hub benchmark ({(options.Smoke ? "smoke: sizes too small to judge any figure" : "full")}), " +
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
            $".NET {Environment.Version}, SQLite pages {options.PageBytes ?? EBakul.Hub.Data.SqlitePragmas.NewDatabasePageBytes} bytes, " +
            $"load average before/after: {Machine.LoadAverageAtStart} / {Machine.LoadAverage()}");
        output.WriteLine();
        output.WriteLine("| scenario | operations | elapsed | throughput | vs baseline | p50 ms | p99 ms | p99.9 ms | hub peak RSS | hub CPU/op | writer CPU/op | db server CPU/op | written/op |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var ratio = r.Baseline is { } baseline ? (r.Throughput / baseline.Throughput).ToString("P0", CultureInfo.InvariantCulture) : "(baseline)";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Operations:N0} {r.Unit} | {r.Elapsed.TotalSeconds:0.00} s | {r.Throughput:N0}/s | {ratio} | " +
                $"{Ms(r.Percentile(50))} | {Ms(r.Percentile(99))} | {Ms(r.Percentile(99.9))} | {Mebibytes(r.PeakMemoryBytes)} | {Micros(r.HubCpuMicrosPerOperation)} | {Micros(r.WriterCpuMicrosPerOperation)} | {Micros(r.DatabaseCpuMicrosPerOperation)} | {Kibibytes(r.KibibytesWrittenPerOperation)} |"));
        }
    }

    private static string Micros(double value) =>
        double.IsNaN(value) || value == 0 ? "-" : value.ToString(value < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture) + " µs";

    private static string Mebibytes(long bytes) =>
        bytes == 0 ? "-" : (bytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture) + " MiB";

    private static string Kibibytes(double value) =>
        double.IsNaN(value) || value == 0 ? "-" : value.ToString(value < 10 ? "0.0" : "N0", CultureInfo.InvariantCulture) + " KiB";

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>What the benchmark can tell about the machine it shares.</summary>
public static class Machine
{
    /// <summary>The 1/5/15-minute load averages when the benchmark started.</summary>
    public static readonly string LoadAverageAtStart = LoadAverage();

    /// <summary>The 1/5/15-minute load averages now (Linux; "?" elsewhere).</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }
}
