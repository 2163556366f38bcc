namespace EBakul.Benchmarks;

/// <summary>Sizes and durations of a benchmark run.</summary>
public sealed record BenchmarkOptions(
    bool Smoke,
    TimeSpan Duration,
    int InFlight,
    int BatchSize,
    int ImportMerchants,
    int SyncEmployees,
    int ProvinceEmployees,
    int ProvincePurchasesPerEmployee,
    int ProvinceMerchants,
    string HubDll)
{
    /// <summary>Reads the command line: <c>--smoke</c>, <c>--duration SECONDS</c>, <c>--hub PATH</c>.</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var duration = TimeSpan.FromSeconds(double.Parse(Option(args, "--duration") ?? (smoke ? "2" : "20"), System.Globalization.CultureInfo.InvariantCulture));
        var hub = Option(args, "--hub") ?? Path.Combine(RepoRoot(), "src", "EBakul.Hub", "bin", "Release", "net10.0", "EBakul.Hub.dll");
        if (!File.Exists(hub)) throw new FileNotFoundException($"build the hub in Release first (dotnet build -c Release): {hub}");
        return smoke
            ? new BenchmarkOptions(true, duration, 64, 100, 5_000, 10_000, 2_000, 10, 2_000, hub)
            : new BenchmarkOptions(false, duration, 64, 100, 91_751, 500_000, 500_000, 20, 91_751, hub);
    }

    /// <summary>The folder holding EBakul.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EBakul.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EBakul.sln not found above the benchmark");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
