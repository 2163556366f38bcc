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
/// (<c>DemoData:PlantIntegrityCases</c>) under the regency's seeded quota policy (10% of the TPP ceiling, at least Rp300,000:
/// the demo's spending target), every signal of the month is listed through the service and each is matched to the planted
/// cases.
/// </summary>
internal sealed class IntegrityMeasurement : IDisposable
{
    public const string Regency = "35.22";

    private readonly DemoDataOptions _options;

    /// <summary>
    /// A measurement on a new hub that loads the demo data of <paramref name="options"/>, or on the database at
    /// <paramref name="databasePath"/> that a hub loaded with them at <paramref name="now"/>.
    /// </summary>
    public IntegrityMeasurement(DemoDataOptions options, string? databasePath = null, DateTimeOffset? now = null)
    {
        _options = options;
        Hub = databasePath is null ? new HubFactory() : new HubFactory(databasePath, new ManualTimeProvider(now ?? HubFactory.DefaultNow));
        Hub.Settings["DemoData:Enabled"] = "true";
        Hub.Settings["DemoData:Merchants"] = options.Merchants.ToString();
        Hub.Settings["DemoData:Employees"] = options.Employees.ToString();
        Hub.Settings["DemoData:PurchasesPerEmployee"] = options.PurchasesPerEmployee.ToString();
        Hub.Settings["DemoData:Seed"] = options.Seed.ToString();
        Hub.Settings["DemoData:PlantIntegrityCases"] = "true";
        Hub.Settings["DemoData:PlantedCasesPerKind"] = options.PlantedCasesPerKind.ToString();
        Hub.Settings["DemoData:Merchants"] = options.Merchants.ToString();
        Generator = new DemoDataGenerator(options, now ?? HubFactory.DefaultNow);
    }

    public HubFactory Hub { get; }

    public DemoDataGenerator Generator { get; }

    public string Period => Generator.Period.ToString();

    /// <summary>How long listing every signal of the month took (the computation of the month, end to end through gRPC).</summary>
    public TimeSpan ComputeTime { get; private set; }

    public List<IntegritySignal> Signals { get; } = [];

    /// <summary>Every planted case, with the hub's id of its merchant.</summary>
    public List<(DemoPlantedCase Case, string MerchantId)> Cases { get; } = [];

    public void Dispose() => Hub.Dispose();

    /// <summary>Starts the hub (loading the demo data) and lists the signals.</summary>
    public async Task RunAsync()
    {
        _ = Hub.Channel;
        using (var scope = Hub.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var idByNik = await db.Merchants.AsNoTracking().ToDictionaryAsync(m => m.OwnerNik, m => m.Id);
            var nikByIndex = Generator.Merchants().Skip(Generator.MerchantCount).ToDictionary(m => m.Index, m => m.OwnerNik);
            foreach (var c in Generator.PlantedCases()) Cases.Add((c, idByNik[nikByIndex[c.MerchantIndex]]));
        }

        var client = new IntegrityService.IntegrityServiceClient(Hub.Channel);
        var watch = Stopwatch.StartNew();
        var token = "";
        do
        {
            var page = await client.ListIntegritySignalsAsync(new ListIntegritySignalsRequest
            {
                RegencyCode = Regency, Period = Period, PageSize = 500, PageToken = token,
            });
            Signals.AddRange(page.Signals);
            token = page.NextPageToken;
        }
        while (token != "");
        ComputeTime = watch.Elapsed;
    }

    /// <summary>Whether a signal points at the arranged case: its merchant, and for a month-end quota its employee.</summary>
    public static bool Touches(IntegritySignal signal, DemoPlantedCase c, string merchantId) =>
        signal.MerchantId == merchantId && (c.Kind != SignalKind.QuotaAtMonthEnd || c.Nips.Any(signal.EmployeeNips.Contains));

    /// <summary>Per kind: planted arranged cases found by a signal of their kind; signals of the kind that touch no arranged case.</summary>
    public List<KindMeasurement> Measure()
    {
        var arranged = Cases.Where(c => c.Case.Arranged).ToList();
        return [.. Enum.GetValues<SignalKind>().Select(kind =>
        {
            var planted = arranged.Where(c => c.Case.Kind == kind).ToList();
            var flagged = Signals.Where(s => (int)s.Kind == (int)kind).ToList();
            var found = planted.Count(c => flagged.Any(s => Touches(s, c.Case, c.MerchantId)));
            var notPlanted = flagged.Count(s => !arranged.Any(c => Touches(s, c.Case, c.MerchantId)));
            return new KindMeasurement(kind, planted.Count, found, flagged.Count, notPlanted);
        })];
    }

    /// <summary>The measurement as a Markdown table.</summary>
    public string Table(string title)
    {
        var lines = new List<string>
        {
            $"{title}: {Generator.AllEmployeeCount} employees, {Generator.AllMerchantCount} merchants, {Period}; signals computed in {ComputeTime.TotalSeconds:F2} s ({(TestStore.IsPostgres ? "PostgreSQL" : "SQLite")})",
            "| kind | planted | found | flagged | not planted | found % | false share % |",
            "|---|---|---|---|---|---|---|",
        };
        lines.AddRange(Measure().Select(m =>
            $"| {m.Kind} | {m.Planted} | {m.Found} | {m.Flagged} | {m.NotPlanted} | {m.FoundBasisPoints / 100.0:F0} | {m.FalseShareBasisPoints / 100.0:F0} |"));
        return string.Join('\n', lines);
    }
}
