using System.Runtime.InteropServices;

namespace EBakul.Benchmarks;

/// <summary>Prints the figures as a Markdown table.</summary>
public static class Report
{
    /// <summary>Writes the table; ratios are to the first baseline of the run.</summary>
    public static void Print(IReadOnlyList<ScenarioResult> results, BenchmarkOptions options, TextWriter output)
    {
        var baseline = results.First();
        output.WriteLine();
        output.WriteLine($"e-Bakul hub benchmark ({(options.Smoke ? "smoke" : "full")}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, " +
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        output.WriteLine();
        output.WriteLine("| scenario | operations | elapsed | throughput | vs baseline | p50 ms | p99 ms | p99.9 ms | hub peak RSS |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            output.WriteLine($"| {r.Name} | {r.Operations:N0} {r.Unit} | {r.Elapsed.TotalSeconds:0.00} s | {r.Throughput:N0}/s | " +
                $"{r.Throughput / baseline.Throughput:P0} | {Ms(r.Percentile(50))} | {Ms(r.Percentile(99))} | {Ms(r.Percentile(99.9))} | " +
                $"{r.PeakMemoryBytes / (1024.0 * 1024):N0} MiB |");
        }
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
