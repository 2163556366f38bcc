using System.Globalization;
using EBakul.Hub.DemoData;
using EBakul.Hub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Integrity;

/// <summary>
/// The measurement of <see cref="IntegrityMeasurementTests"/> over a province: several regencies of Bojonegoro's size and
/// shape (<c>DemoData:Regencies</c>), cases planted in each, every regency's month computed through the service one after
/// the other, as an auditor of each regency would ask for it. The suite runs a small province of three regencies on both
/// stores; a whole province (Jawa Timur's 38 regencies, or as many as <c>EBAKUL_INTEGRITY_PROVINCE_REGENCIES</c> says)
/// runs only when that variable is set, since it takes minutes to load (docs/integrity.md has the command and figures).
/// </summary>
public sealed class IntegrityProvinceMeasurementTests(ITestOutputHelper output)
{
    private const string RegenciesVariable = "EBAKUL_INTEGRITY_PROVINCE_REGENCIES";

    /// <summary>A fact that runs only when <see cref="RegenciesVariable"/> gives the number of regencies.</summary>
    private sealed class ProvinceFactAttribute : FactAttribute
    {
        public ProvinceFactAttribute()
        {
            if (Environment.GetEnvironmentVariable(RegenciesVariable) is not { Length: > 0 })
                Skip = $"{RegenciesVariable} gives no number of regencies for the province measurement (docs/integrity.md)";
        }
    }

    [Fact]
    public Task In_a_small_province_every_regency_month_finds_the_planted_cases_with_few_false_alarms() =>
        MeasureAsync(regencies: 3, "Small province");

    [ProvinceFact]
    public Task In_a_province_every_regency_month_finds_the_planted_cases_with_few_false_alarms() =>
        MeasureAsync(int.Parse(Environment.GetEnvironmentVariable(RegenciesVariable)!, CultureInfo.InvariantCulture), "Province");

    private async Task MeasureAsync(int regencies, string title)
    {
        using var measurement = new IntegrityMeasurement(new DemoDataOptions
        {
            Regencies = regencies, Merchants = 5000, Employees = 8470, PurchasesPerEmployee = 6, Seed = 35,
            PlantIntegrityCases = true, PlantedCasesPerKind = 10,
        });
        await measurement.RunAsync();
        output.WriteLine(measurement.Table(title));
        foreach (var signal in measurement.NotPlanted()) output.WriteLine($"not planted: {signal.Kind} {signal.Explanation}");
        foreach (var (c, merchantId) in measurement.Missed()) output.WriteLine($"missed: {c.Kind} {c.Description} (merchant {merchantId})");

        Assert.Equal(regencies, measurement.RegencyTimes.Count);
        Assert.All(measurement.Measure(), m =>
        {
            Assert.True(m.FoundBasisPoints >= 9000, $"{m.Kind}: found {m.Found} of {m.Planted}");
            Assert.True(m.FalseShareBasisPoints <= 2000, $"{m.Kind}: {m.NotPlanted} of {m.Flagged} signals touch no planted case");
        });
        Assert.True(measurement.LongestRegencyTime < TimeSpan.FromSeconds(30), $"the longest regency month took {measurement.LongestRegencyTime}");
    }
}
