using EBakul.Hub.DemoData;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Integrity;

/// <summary>
/// The signals measured against planted cases on a regency-sized demo month (docs/integrity.md has the table and the method):
/// of each kind at least 90% of the planted arranged cases found, at most 20% of the signals raised touching no arranged case
/// (the honest look-alikes are there to be left alone), and the month computed in well under a minute.
/// </summary>
public sealed class IntegrityMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public async Task On_a_regency_sized_month_the_planted_cases_are_found_with_few_false_alarms()
    {
        using var measurement = new IntegrityMeasurement(new DemoDataOptions
        {
            Merchants = 5000, Employees = 8470, PurchasesPerEmployee = 6, Seed = 35, PlantIntegrityCases = true, PlantedCasesPerKind = 10,
        });
        await measurement.RunAsync();
        output.WriteLine(measurement.Table("Regency month"));
        foreach (var signal in measurement.NotPlanted()) output.WriteLine($"not planted: {signal.Kind} {signal.Explanation}");

        Assert.All(measurement.Measure(), m =>
        {
            Assert.True(m.FoundBasisPoints >= 9000, $"{m.Kind}: found {m.Found} of {m.Planted}");
            Assert.True(m.FalseShareBasisPoints <= 2000, $"{m.Kind}: {m.NotPlanted} of {m.Flagged} signals touch no planted case");
        });
        Assert.True(measurement.ComputeTime < TimeSpan.FromSeconds(30), $"the month took {measurement.ComputeTime}");
    }
}
