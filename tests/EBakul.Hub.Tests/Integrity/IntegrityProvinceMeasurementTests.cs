using System.Globalization;
using EBakul.Hub.DemoData;
using EBakul.Hub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Integrity;

/// <summary>
/// The measurement of <see cref="IntegrityMeasurementTests"/> on a province-sized demo month, which takes minutes to load
/// and so is not part of the suite: it runs on a SQLite database that a hub loaded beforehand (docs/integrity.md has the
/// command), named by <c>EBAKUL_INTEGRITY_PROVINCE_DB</c>, with the moment of that load in
/// <c>EBAKUL_INTEGRITY_PROVINCE_NOW</c> (ISO 8601; the demo month is the one before it). It reports the table and checks
/// nothing but that the month is computed.
/// </summary>
public sealed class IntegrityProvinceMeasurementTests(ITestOutputHelper output)
{
    private const string DatabaseVariable = "EBAKUL_INTEGRITY_PROVINCE_DB", NowVariable = "EBAKUL_INTEGRITY_PROVINCE_NOW";

    /// <summary>A fact that runs only when <see cref="DatabaseVariable"/> names a database.</summary>
    private sealed class ProvinceFactAttribute : FactAttribute
    {
        public ProvinceFactAttribute()
        {
            if (Environment.GetEnvironmentVariable(DatabaseVariable) is not { Length: > 0 } || TestStore.IsPostgres)
                Skip = $"{DatabaseVariable} names no province-sized SQLite demo database (docs/integrity.md)";
        }
    }

    [ProvinceFact]
    public async Task On_a_province_sized_month_the_signals_are_measured()
    {
        var now = DateTimeOffset.Parse(Environment.GetEnvironmentVariable(NowVariable) ?? throw new InvalidOperationException($"{NowVariable} is not set"),
            CultureInfo.InvariantCulture);
        using var measurement = new IntegrityMeasurement(new DemoDataOptions
        {
            Merchants = 91751, Employees = 500_000, PurchasesPerEmployee = 6, Seed = 35, PlantIntegrityCases = true, PlantedCasesPerKind = 10,
        }, Environment.GetEnvironmentVariable(DatabaseVariable), now);
        await measurement.RunAsync();
        output.WriteLine(measurement.Table("Province-sized month"));
        Assert.NotEmpty(measurement.Cases);
    }
}
