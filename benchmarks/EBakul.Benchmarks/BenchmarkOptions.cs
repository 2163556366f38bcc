using System.Globalization;

namespace EBakul.Benchmarks;

/// <summary>Sizes and durations of a benchmark run.</summary>
/// <param name="Smoke">Small sizes and short runs: proves every scenario works, in seconds (CI). No figure is judged.</param>
/// <param name="WarmUp">How long each load scenario runs before it is measured.</param>
/// <param name="Duration">How long each load scenario is measured.</param>
/// <param name="InFlight">Calls kept in flight by the single-purchase scenarios, the floor and the baseline (<c>--in-flight N</c>, default 64).</param>
/// <param name="BatchSize">Purchases per RecordPurchases call.</param>
/// <param name="BatchesInFlight">RecordPurchases calls kept in flight.</param>
/// <param name="LedgerMerchants">Demo merchants of the ledger hub (the purchases' merchants).</param>
/// <param name="LedgerEmployees">Demo employees of the ledger hub (the purchases' buyers).</param>
/// <param name="ImportMerchants">Merchants sent through ImportMerchants.</param>
/// <param name="SyncEmployees">Employees sent through SyncEmployees.</param>
/// <param name="ProvinceEmployees">Employees of the province hub whose month is closed.</param>
/// <param name="ProvincePurchasesPerEmployee">Average purchases per employee in that month.</param>
/// <param name="ProvinceMerchants">Merchants of the province hub.</param>
/// <param name="Scenarios">The scenarios to run (all by default).</param>
/// <param name="HubDll">The Release build of the hub.</param>
public sealed record BenchmarkOptions(
    bool Smoke,
    TimeSpan WarmUp,
    TimeSpan Duration,
    int InFlight,
    int BatchSize,
    int BatchesInFlight,
    int LedgerMerchants,
    int LedgerEmployees,
    int ImportMerchants,
    int SyncEmployees,
    int ProvinceEmployees,
    int ProvincePurchasesPerEmployee,
    int ProvinceMerchants,
    IReadOnlySet<string> Scenarios,
    string HubDll)
{
    /// <summary>More settings for every hub the run starts (<c>--hub-setting KEY=VALUE</c>, repeatable), e.g. <c>Telemetry:Enabled=false</c>.</summary>
    public IReadOnlyList<string> HubSettings { get; init; } = [];

    /// <summary>
    /// An existing PostgreSQL server for the <c>pg-*</c> scenarios (<c>--postgres CONNECTION</c>; each hub gets a new
    /// database on it), or null: the run starts a throwaway cluster with scripts/postgres-cluster.sh.
    /// </summary>
    public string? Postgres { get; init; }

    /// <summary>
    /// Purchases every buyer has in the month when the <c>late</c> scenario starts to measure (<c>--month-fill N</c>):
    /// 20 by default, the average of the province month the close is measured on.
    /// </summary>
    public int MonthFill { get; init; } = 20;

    /// <summary>
    /// Page size of the SQLite files the run creates (<c>--page-size BYTES</c>), or null for the hub's own
    /// (<c>SqlitePragmas.NewDatabasePageBytes</c>): the file is created empty with this size before the hub or the floor
    /// opens it, and a file keeps the page size it was created with.
    /// </summary>
    public int? PageBytes { get; init; }

    /// <summary>Every scenario, in the order they run (the <c>pg-</c> ones on PostgreSQL).</summary>
    public static readonly string[] AllScenarios =
        ["single", "json", "batch", "late", "floor", "import", "sync", "pg-single", "pg-replicas", "reports", "close", "reads", "pg-reports", "pg-close", "pg-reads"];

    /// <summary>What the command line accepts.</summary>
    public const string Usage =
        "usage: EBakul.Benchmarks [--smoke] [--warm-up SECONDS] [--duration SECONDS] [--in-flight N] [--page-size BYTES]\n" +
        "                         [--scenarios single,json,batch,late,floor,import,sync,pg-single,pg-replicas,reports,close,reads,pg-reports,pg-close,pg-reads]\n" +
        "                         [--province-employees N] [--province-purchases-per-employee N] [--month-fill N]\n" +
        "                         [--hub PATH/EBakul.Hub.dll]\n" +
        "                         [--hub-setting KEY=VALUE]... [--postgres CONNECTION]";

    /// <summary>Reads the command line.</summary>
    public static BenchmarkOptions Parse(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var duration = TimeSpan.FromSeconds(double.Parse(Option(args, "--duration") ?? (smoke ? "1" : "20"), CultureInfo.InvariantCulture));
        var warmUp = TimeSpan.FromSeconds(double.Parse(Option(args, "--warm-up") ?? (smoke ? "0.5" : "10"), CultureInfo.InvariantCulture));
        var hub = Option(args, "--hub") ?? Path.Combine(RepoRoot(), "src", "EBakul.Hub", "bin", "Release", "net10.0", "EBakul.Hub.dll");
        if (!File.Exists(hub)) throw new FileNotFoundException($"build the hub in Release first (dotnet build -c Release src/EBakul.Hub): {hub}");
        var scenarios = (Option(args, "--scenarios")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? AllScenarios)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = scenarios.Except(AllScenarios).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown scenario(s) {string.Join(", ", unknown)}\n{Usage}");
        var options = smoke
            ? new BenchmarkOptions(true, warmUp, duration, 64, 100, 8, 200, 1_000, 2_000, 5_000, 1_000, 10, 500, scenarios, hub)
            : new BenchmarkOptions(false, warmUp, duration, 64, 100, 8, 5_000, 8_470, 91_751, 500_000, 500_000, 20, 91_751, scenarios, hub);
        return options with
        {
            InFlight = Number(args, "--in-flight") ?? options.InFlight,
            PageBytes = Number(args, "--page-size"),
            ProvinceEmployees = Number(args, "--province-employees") ?? options.ProvinceEmployees,
            ProvincePurchasesPerEmployee = Number(args, "--province-purchases-per-employee") ?? options.ProvincePurchasesPerEmployee,
            Postgres = Option(args, "--postgres"),
            MonthFill = Number(args, "--month-fill") ?? (smoke ? 2 : 20),
            HubSettings = [.. args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--hub-setting" && a.i + 1 < args.Length).Select(a => args[a.i + 1])],
        };
    }

    /// <summary>The folder holding EBakul.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EBakul.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EBakul.sln not found above the benchmark");
    }

    private static int? Number(string[] args, string name) =>
        Option(args, name) is { } text ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
