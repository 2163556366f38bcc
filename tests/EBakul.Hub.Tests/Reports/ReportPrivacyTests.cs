using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using EBakul.Reports.V1;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// Reports are aggregates of at least the minimum group size (3 here): smaller groups are folded into "OTHER", and
/// "OTHER" itself takes the smallest shown group while it is below the minimum; merchants with fewer buyers stay out of
/// the top lists; a scope with fewer people is suppressed.
/// </summary>
public sealed class ReportPrivacyTests : IDisposable
{
    private const string September = "2025-09";
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";
    private const string Finance = "1.03.01";

    private readonly HubFactory _hub = new();
    private readonly ReportArrange _arrange;

    public ReportPrivacyTests()
    {
        _hub.Settings["Reports:MinimumGroupSize"] = "3";
        _arrange = new ReportArrange(_hub);
    }

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Small_groups_are_folded_into_other_and_other_is_never_below_the_minimum()
    {
        var food = await _arrange.MerchantAsync("35.22.15");
        var services = await _arrange.MerchantAsync("35.22.01", MerchantCategory.Services);
        var craft = await _arrange.MerchantAsync("35.22.02", MerchantCategory.Craft);
        var health = new List<string>();
        var education = new List<string>();
        for (var i = 0; i < 5; i++) health.Add(await _arrange.Quota.EmployeeAsync(office: Health));
        for (var i = 0; i < 4; i++) education.Add(await _arrange.Quota.EmployeeAsync(office: Education));
        var finance = await _arrange.Quota.EmployeeAsync(office: Finance);
        foreach (var nip in health) await _arrange.Quota.PurchaseAsync(nip, food, 50_000, Wib(2025, 9, 3));
        foreach (var nip in education.Take(2)) await _arrange.Quota.PurchaseAsync(nip, services, 40_000, Wib(2025, 9, 4));
        await _arrange.Quota.PurchaseAsync(finance, craft, 30_000, Wib(2025, 9, 5));

        // Services (2 buyers) and craft (1) together are 3 people.
        var report = await _arrange.ReportAsync(September);
        Assert.Equal(("MERCHANT_CATEGORY_FOOD_AND_DRINK", 5), (report.ByCategory[0].Key, report.ByCategory[0].BuyerCount));
        var other = report.ByCategory[1];
        Assert.Equal(("OTHER", "Lainnya", 110_000L, 3, 2, 2), (other.Key, other.DisplayName, other.SpentRupiah, other.BuyerCount, other.MerchantCount, other.FoldedGroupCount));
        Assert.Equal(2, report.ByCategory.Count);
        Assert.Equal([Health, "OTHER"], report.ByOffice.Select(g => g.Key));
        Assert.Equal(["35.22.15", "OTHER"], report.ByKecamatan.Select(g => g.Key));
        Assert.Equal([food], report.TopMerchantsByAmount.Select(m => m.MerchantId));
        Assert.Equal([food], report.TopMerchantsByBuyers.Select(m => m.MerchantId));
        Assert.Equal((360_000L, 8), (report.SpentRupiah, report.BuyerCount));

        // Services grows to 4 buyers; craft alone (1) would be below the minimum, so services joins it.
        foreach (var nip in education.Skip(2)) await _arrange.Quota.PurchaseAsync(nip, services, 40_000, Wib(2025, 9, 6));
        report = await _arrange.ReportAsync(September);
        Assert.Equal(["MERCHANT_CATEGORY_FOOD_AND_DRINK", "OTHER"], report.ByCategory.Select(g => g.Key));
        Assert.Equal((5, 2, 190_000L), (report.ByCategory[1].BuyerCount, report.ByCategory[1].FoldedGroupCount, report.ByCategory[1].SpentRupiah));
        // Offices: Education (4) is shown; Finance (1) would be alone in OTHER, so Education joins it.
        Assert.Equal([Health, "OTHER"], report.ByOffice.Select(g => g.Key));
        Assert.Equal((5, 2), (report.ByOffice[1].BuyerCount, report.ByOffice[1].FoldedGroupCount));
        Assert.Equal([food, services], report.TopMerchantsByAmount.Select(m => m.MerchantId));
        Assert.Equal([food, services], report.TopMerchantsByBuyers.Select(m => m.MerchantId));

        // One office's report with a single buyer is suppressed.
        var alone = await _arrange.ReportAsync(September, Finance);
        Assert.Equal((true, 0L, 0, 0, 3), (alone.Suppressed, alone.SpentRupiah, alone.BuyerCount, alone.ByCategory.Count, alone.MinimumGroupSize));

        // Compliance: Health 5 employees shown; Finance (1) folded, and Education (4) with it.
        var compliance = (await _arrange.Reports.GetComplianceReportAsync(new GetComplianceReportRequest { RegencyCode = Regency, Period = September })).Report;
        Assert.Equal([Health, "OTHER"], compliance.Offices.Select(o => o.OfficeCode));
        Assert.Equal((5, 2, "Lainnya"), (compliance.Offices[1].EmployeeCount, compliance.Offices[1].FoldedGroupCount, compliance.Offices[1].DisplayName));
        Assert.Equal(10, compliance.Total.EmployeeCount);
        var financeCompliance = (await _arrange.Reports.GetComplianceReportAsync(new GetComplianceReportRequest
        {
            RegencyCode = Regency, Period = September, OfficeCode = Finance,
        })).Report;
        Assert.Equal((true, 0, 0), (financeCompliance.Suppressed, financeCompliance.Total.EmployeeCount, financeCompliance.Offices.Count));
    }
}
