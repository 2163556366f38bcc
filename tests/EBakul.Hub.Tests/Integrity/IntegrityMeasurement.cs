using System.Diagnostics;
using EBakul.Hub.Data;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain.Integrity;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Integrity.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using IntegritySignal = EBakul.Integrity.V1.IntegritySignal;

namespace EBakul.Hub.Tests.Integrity;

/// <summary>One kind's line of the measurement: arranged cases planted and found, signals raised and how many touch no arranged case.</summary>
internal sealed record KindMeasurement(SignalKind Kind, int Planted, int Found, int Flagged, int NotPlanted)
{
    /// <summary>Found of planted, basis points (10000 when nothing was planted).</summary>
    public int FoundBasisPoints => Planted == 0 ? 10_000 : Found * 10_000 / Planted;

    /// <summary>Flagged but not planted, of flagged, basis points (0 when nothing was flagged).</summary>
    public int FalseShareBasisPoints => Flagged == 0 ? 0 : NotPlanted * 10_000 / Flagged;
}

/// <summary>
/// A demo hub with planted integrity cases and the measurement of the signals against them: the hub loads the demo data
/// (<c>DemoData:PlantIntegrityCases</c>, one regency or several: <c>DemoData:Regencies</c>) under each regency's seeded quota
/// policy (10% of the TPP ceiling, at least Rp300,000: the demo's spending target), every signal of each regency's month is
/// listed through the service, one regency after the other, and each is matched to the planted cases.
/// </summary>
internal sealed class IntegrityMeasurement : IDisposable
{
    /// <summary>
    /// A measurement on a new hub that loads the demo data of <paramref name="options"/>, or on the database at
    /// <paramref name="databasePath"/> that a hub loaded with them at <paramref name="now"/>.
    /// </summary>
    public IntegrityMeasurement(DemoDataOptions options, string? databasePath = null, DateTimeOffset? now = null)
    {
        Hub = databasePath is null ? new HubFactory() : new HubFactory(databasePath, new ManualTimeProvider(now ?? HubFactory.DefaultNow));
        Hub.Settings["DemoData:Enabled"] = "true";
        Hub.Settings["DemoData:Regencies"] = options.Regencies.ToString();
        Hub.Settings["DemoData:Merchants"] = options.Merchants.ToString();
        Hub.Settings["DemoData:Employees"] = options.Employees.ToString();
        Hub.Settings["DemoData:PurchasesPerEmployee"] = options.PurchasesPerEmployee.ToString();
        Hub.Settings["DemoData:Seed"] = options.Seed.ToString();
        Hub.Settings["DemoData:PlantIntegrityCases"] = "true";
        Hub.Settings["DemoData:PlantedCasesPerKind"] = options.PlantedCasesPerKind.ToString();
        Generators = [.. DemoRegencies.Of(options).Select(r => new DemoDataGenerator(options, now ?? HubFactory.DefaultNow, r))];
    }

    public HubFactory Hub { get; }

    /// <summary>A generator per regency, Bojonegoro first.</summary>
    public IReadOnlyList<DemoDataGenerator> Generators { get; }

    public DemoDataGenerator Generator => Generators[0];

    public string Period => Generator.Period.ToString();

    /// <summary>How long starting the hub took (loading the demo data).</summary>
    public TimeSpan LoadTime { get; private set; }

    /// <summary>Per regency, how long listing every signal of its month took (the computation of the month, end to end through gRPC).</summary>
    public List<(string Regency, TimeSpan Time)> RegencyTimes { get; } = [];

    /// <summary>Listing every regency's month, one after the other.</summary>
    public TimeSpan ComputeTime => RegencyTimes.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Time);

    /// <summary>The longest regency month.</summary>
    public TimeSpan LongestRegencyTime => RegencyTimes.Count == 0 ? TimeSpan.Zero : RegencyTimes.Max(r => r.Time);

    public List<IntegritySignal> Signals { get; } = [];

    /// <summary>Every planted case, with the hub's id of its merchant.</summary>
    public List<(DemoPlantedCase Case, string MerchantId)> Cases { get; } = [];

    public void Dispose() => Hub.Dispose();

    /// <summary>Starts the hub (loading the demo data) and lists the signals of every regency's month.</summary>
    public async Task RunAsync()
    {
        var load = Stopwatch.StartNew();
        _ = Hub.Channel;
        LoadTime = load.Elapsed;
        using (var scope = Hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var idByNik = await db.Merchants.AsNoTracking().ToDictionaryAsync(m => m.OwnerNik, m => m.Id);
            foreach (var generator in Generators)
            {
                var nikByIndex = generator.Merchants().Skip(generator.MerchantCount).ToDictionary(m => m.Index, m => m.OwnerNik);
                foreach (var c in generator.PlantedCases()) Cases.Add((c, idByNik[nikByIndex[c.MerchantIndex]]));
            }
        }

        var client = new IntegrityService.IntegrityServiceClient(Hub.Channel);
        foreach (var generator in Generators)
        {
            var watch = Stopwatch.StartNew();
            var token = "";
            do
            {
                var page = await client.ListIntegritySignalsAsync(new ListIntegritySignalsRequest
                {
                    RegencyCode = generator.Regency.Code, Period = Period, PageSize = 500, PageToken = token,
                });
                Signals.AddRange(page.Signals);
                token = page.NextPageToken;
            }
            while (token != "");
            RegencyTimes.Add((generator.Regency.Code, watch.Elapsed));
        }
    }

    /// <summary>Whether a signal points at the arranged case: its merchant, and for a month-end quota its employee.</summary>
    public static bool Touches(IntegritySignal signal, DemoPlantedCase c, string merchantId) =>
        signal.MerchantId == merchantId && (c.Kind != SignalKind.QuotaAtMonthEnd || c.Nips.Any(signal.EmployeeNips.Contains));

    /// <summary>The signals that touch no arranged case.</summary>
    public IEnumerable<IntegritySignal> NotPlanted()
    {
        var arranged = ArrangedByMerchant();
        return Signals.Where(s => !(arranged.TryGetValue(s.MerchantId, out var cases) && cases.Any(c => Touches(s, c.Case, c.MerchantId))));
    }

    /// <summary>The arranged cases that no signal of their kind points at.</summary>
    public IEnumerable<(DemoPlantedCase Case, string MerchantId)> Missed()
    {
        var byMerchant = Signals.ToLookup(s => s.MerchantId);
        return Cases.Where(c => c.Case.Arranged && !byMerchant[c.MerchantId].Any(s => (int)s.Kind == (int)c.Case.Kind && Touches(s, c.Case, c.MerchantId)));
    }

    private Dictionary<string, List<(DemoPlantedCase Case, string MerchantId)>> ArrangedByMerchant() =>
        Cases.Where(c => c.Case.Arranged).GroupBy(c => c.MerchantId).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Per kind: planted arranged cases found by a signal of their kind; signals of the kind that touch no arranged case.</summary>
    public List<KindMeasurement> Measure()
    {
        var arranged = ArrangedByMerchant();
        var byMerchant = Signals.ToLookup(s => s.MerchantId);
        return [.. Enum.GetValues<SignalKind>().Select(kind =>
        {
            var planted = Cases.Where(c => c.Case.Arranged && c.Case.Kind == kind).ToList();
            var flagged = Signals.Where(s => (int)s.Kind == (int)kind).ToList();
            var found = planted.Count(c => byMerchant[c.MerchantId].Any(s => (int)s.Kind == (int)kind && Touches(s, c.Case, c.MerchantId)));
            var notPlanted = flagged.Count(s => !(arranged.TryGetValue(s.MerchantId, out var cases) && cases.Any(c => Touches(s, c.Case, c.MerchantId))));
            return new KindMeasurement(kind, planted.Count, found, flagged.Count, notPlanted);
        })];
    }

    /// <summary>The measurement as a Markdown table.</summary>
    public string Table(string title)
    {
        var lines = new List<string>
        {
            $"{title}: {Generators.Count} regencies, {Generators.Sum(g => g.AllEmployeeCount)} employees, {Generators.Sum(g => g.AllMerchantCount)} merchants, {Period} " +
            $"({(TestStore.IsPostgres ? "PostgreSQL" : "SQLite")}); loaded in {LoadTime.TotalSeconds:F0} s; every regency's month computed one after the other " +
            $"in {ComputeTime.TotalSeconds:F2} s, the longest {LongestRegencyTime.TotalSeconds:F2} s",
            "| kind | planted | found | flagged | not planted | found % | false share % |",
            "|---|---|---|---|---|---|---|",
        };
        lines.AddRange(Measure().Select(m =>
            $"| {m.Kind} | {m.Planted} | {m.Found} | {m.Flagged} | {m.NotPlanted} | {m.FoundBasisPoints / 100.0:F0} | {m.FalseShareBasisPoints / 100.0:F0} |"));
        if (RegencyTimes.Count > 1)
            lines.Add("per regency (s): " + string.Join(", ", RegencyTimes.Select(r => $"{r.Regency} {r.Time.TotalSeconds:F2}")));
        return string.Join('\n', lines);
    }
}
