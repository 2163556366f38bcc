using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Quota;

/// <summary>
/// The month close evaluates the regency in NIP ranges side by side: whatever the number of parts, the result is the
/// one-snapshot, one-pass evaluation's, employee for employee and in the same order.
/// </summary>
public sealed class QuotaEvaluationInPartsTests
{
    [Fact]
    public async Task Evaluating_in_parts_gives_exactly_the_single_pass_result()
    {
        using var hub = new HubFactory();
        hub.Settings["DemoData:Enabled"] = "true";
        hub.Settings["DemoData:Merchants"] = "600";
        hub.Settings["DemoData:Employees"] = "301";
        hub.Settings["DemoData:PurchasesPerEmployee"] = "6";
        _ = hub.Channel; // loads the demo data (September 2025) before serving

        using var scope = hub.Services.CreateScope();
        var evaluator = scope.ServiceProvider.GetRequiredService<QuotaEvaluator>();
        var writer = hub.Services.GetRequiredService<DatabaseWriter>();
        var period = Period.FromKey(202509);

        var single = new List<EmployeeEvaluation>();
        await foreach (var e in evaluator.EvaluateRegencyAsync("35.22", period, null, CancellationToken.None)) single.Add(e);
        Assert.True(single.Count > 250, $"only {single.Count} employees evaluated");
        Assert.Contains(single, e => e.CountedRupiah > 0);

        foreach (var parts in new[] { 1, 2, 3, 7, 1000 })
        {
            var inParts = await evaluator.EvaluateRegencyInPartsAsync("35.22", period, parts, writer, CancellationToken.None);
            Assert.Equal(single, inParts);
        }
    }
}
