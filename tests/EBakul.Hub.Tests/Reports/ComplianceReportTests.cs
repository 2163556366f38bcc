using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Quota.V1;
using EBakul.Reports.V1;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// Compliance by office equals the quota evaluation's compliance (QuotaService) office by office, and the corrections in
/// force equal each employee's latest payroll adjustment, after a close and after a correction.
/// </summary>
public sealed class ComplianceReportTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _payroll;
    private readonly ReportService.ReportServiceClient _reports;

    public ComplianceReportTests()
    {
        _hub.Settings["Reports:MinimumGroupSize"] = "1";
        _payroll = new PayrollArrange(_hub);
        _reports = new ReportService.ReportServiceClient(_hub.Channel);
    }

    public void Dispose() => _hub.Dispose();

    private async Task<ComplianceReport> ReportAsync() =>
        (await _reports.GetComplianceReportAsync(new GetComplianceReportRequest { RegencyCode = Regency, Period = September })).Report;

    private async Task AssertEqualsQuotaComplianceAsync(ComplianceReport report)
    {
        var quota = await _payroll.Quota.Quota.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = September });
        Assert.Equal(quota.Offices.Select(o => o.OfficeCode), report.Offices.Select(o => o.OfficeCode));
        foreach (var (expected, actual) in quota.Offices.Prepend(quota.Summary).Zip(report.Offices.Prepend(report.Total)))
        {
            Assert.Equal(
                (expected.EmployeeCount, expected.ObligedCount, expected.CompliantCount, expected.NonCompliantCount, expected.ExemptCount, expected.NoTppCount,
                    expected.ComplianceRateBasisPoints, expected.TotalRequiredRupiah, expected.TotalCountedRupiah, expected.TotalShortfallRupiah,
                    expected.TotalProjectedCorrectionRupiah),
                (actual.EmployeeCount, actual.ObligedCount, actual.CompliantCount, actual.NonCompliantCount, actual.ExemptCount, actual.NoTppCount,
                    actual.ComplianceRateBasisPoints, actual.TotalRequiredRupiah, actual.TotalCountedRupiah, actual.TotalShortfallRupiah,
                    actual.TotalProjectedCorrectionRupiah));
        }
    }

    /// <summary>The corrections in force: each employee's latest adjustment (superseded by none), per office and in all.</summary>
    private async Task AssertCorrectionsInForceAsync(ComplianceReport report)
    {
        var latest = (await _payroll.AdjustmentsAsync(September)).Where(a => a.SupersededByKey.Length == 0).ToList();
        Assert.Equal((latest.Count(a => a.TppCorrectionRupiah > 0), latest.Sum(a => a.TppCorrectionRupiah)),
            (report.Total.CorrectedEmployeeCount, report.Total.TotalCorrectionRupiah));
        foreach (var office in report.Offices)
        {
            var own = latest.Where(a => a.OfficeCode == office.OfficeCode).ToList();
            Assert.Equal((own.Count(a => a.TppCorrectionRupiah > 0), own.Sum(a => a.TppCorrectionRupiah)),
                (office.CorrectedEmployeeCount, office.TotalCorrectionRupiah));
        }
    }

    [Fact]
    public async Task Compliance_by_office_follows_the_evaluation_and_the_corrections_in_force()
    {
        var people = await _payroll.SeptemberAsync();

        var open = await ReportAsync();
        Assert.False(open.Closed);
        Assert.Equal((7, 5, 1, 4, 2, 953_335L, 0L), (open.Total.EmployeeCount, open.Total.ObligedCount, open.Total.CompliantCount,
            open.Total.NonCompliantCount, open.Total.ExemptCount, open.Total.TotalShortfallRupiah, open.Total.TotalCorrectionRupiah));
        Assert.Equal(["Kantor 1.01.01", "Kantor 1.02.01"], open.Offices.Select(o => o.DisplayName));
        await AssertEqualsQuotaComplianceAsync(open);

        await _payroll.CloseAsync(September);
        var closed = await ReportAsync();
        Assert.True(closed.Closed);
        Assert.Equal((4, 953_335L), (closed.Total.CorrectedEmployeeCount, closed.Total.TotalCorrectionRupiah));
        await AssertEqualsQuotaComplianceAsync(closed);
        await AssertCorrectionsInForceAsync(closed);

        // A correction: Short's forgotten nota of Rp200,000 at B counts up to the cap (Rp150,000): its shortfall and correction
        // fall from 200,000 to 50,000, in a revision that supersedes the first adjustment.
        await _payroll.OpenCorrectionAsync(September);
        await _payroll.Quota.PurchaseAsync(people.Short, people.MerchantB, 200_000, Wib(2025, 9, 28));
        await _payroll.CloseAsync(September);
        var corrected = await ReportAsync();
        Assert.Equal((4, 803_335L), (corrected.Total.CorrectedEmployeeCount, corrected.Total.TotalCorrectionRupiah));
        await AssertEqualsQuotaComplianceAsync(corrected);
        await AssertCorrectionsInForceAsync(corrected);
    }
}
