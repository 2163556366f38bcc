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

    private async Task<ComplianceReport> ReportAsync(string period = September, string office = "") =>
        (await _reports.GetComplianceReportAsync(new GetComplianceReportRequest { RegencyCode = Regency, Period = period, OfficeCode = office })).Report;

    private Task AssertEqualsQuotaComplianceAsync(ComplianceReport report, string period = September) =>
        AssertEqualsQuotaComplianceAsync(_payroll.Quota.Quota, report, period);

    /// <summary>The report's total and offices equal QuotaService's compliance of the regency's month, figure by figure.</summary>
    internal static async Task AssertEqualsQuotaComplianceAsync(QuotaService.QuotaServiceClient client, ComplianceReport report, string period)
    {
        var quota = await client.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = period });
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

    /// <summary>
    /// The report reads kept per-employee evaluations refreshed from what changed since the last report (docs/reports.md):
    /// after each kind of change it must still equal a fresh evaluation (QuotaService), for the regency and for an office.
    /// </summary>
    [Fact]
    public async Task Compliance_equals_a_fresh_evaluation_after_every_kind_of_change()
    {
        var people = await _payroll.SeptemberAsync();
        var quota = _payroll.Quota;
        async Task CheckAsync(string period = September)
        {
            var report = await ReportAsync(period);
            await AssertEqualsQuotaComplianceAsync(report, period);
            foreach (var office in new[] { Health, Education })
            {
                var own = (await ReportAsync(period, office)).Total;
                var row = report.Offices.SingleOrDefault(o => o.OfficeCode == office) ?? new OfficeCompliance();
                Assert.Equal((row.EmployeeCount, row.CompliantCount, row.ExemptCount, row.NoTppCount, row.TotalRequiredRupiah, row.TotalCountedRupiah,
                        row.TotalShortfallRupiah, row.TotalProjectedCorrectionRupiah),
                    (own.EmployeeCount, own.CompliantCount, own.ExemptCount, own.NoTppCount, own.TotalRequiredRupiah, own.TotalCountedRupiah,
                        own.TotalShortfallRupiah, own.TotalProjectedCorrectionRupiah));
            }
        }

        await CheckAsync();
        // New purchases, one over the cap, and a void.
        await quota.PurchaseAsync(people.Nothing, people.MerchantA, 250_000, Wib(2025, 9, 10));
        await quota.PurchaseAsync(people.Short, people.MerchantB, 400_000, Wib(2025, 9, 11));
        await CheckAsync();
        await quota.VoidAsync(people.CompliantPurchaseAtB);
        await CheckAsync();
        // Roster syncs: TPP to 0, an office move, a status change within the month, a new employee.
        await quota.ReassignAsync(people.Prorated, e => e.TppCeilingRupiah = 0);
        await CheckAsync();
        await quota.ReassignAsync(people.Capped, e => { e.OfficeCode = Health; e.OfficeName = $"Kantor {Health}"; });
        await CheckAsync();
        await quota.ReassignAsync(people.Compliant, e =>
        {
            e.Status = EBakul.Roster.V1.EmployeeStatus.OnLeave;
            e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2025, 9, 16));
        });
        await CheckAsync();
        var newcomer = await quota.EmployeeAsync(office: Education, activeFrom: new DateOnly(2025, 9, 20));
        await quota.PurchaseAsync(newcomer, people.MerchantA, 30_000, Wib(2025, 9, 25));
        await CheckAsync();
        // Exemptions granted and revoked.
        await quota.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = people.Nothing, Period = September, Reason = "tugas belajar",
        });
        await CheckAsync();
        await quota.Quota.RevokeQuotaExemptionAsync(new RevokeQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = people.Granted, Period = September, Reason = "granted in error",
        });
        await CheckAsync();
        // A merchant suspended within the month: purchases there after its suspension stop counting.
        var now = _hub.Clock.GetUtcNow();
        _hub.Clock.Set(Wib(2025, 9, 5, 12));
        await new EBakul.Merchants.V1.MerchantService.MerchantServiceClient(_hub.Channel).SuspendMerchantAsync(new EBakul.Merchants.V1.SuspendMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = people.MerchantA, Reason = "nota palsu, under review",
        });
        _hub.Clock.Set(now);
        await CheckAsync();
        // The close, a correction with a new purchase and a void, and the close again.
        await _payroll.CloseAsync(September);
        await CheckAsync();
        await _payroll.OpenCorrectionAsync(September);
        var late = await quota.PurchaseAsync(people.Short, people.MerchantB, 50_000, Wib(2025, 9, 28));
        await CheckAsync();
        await quota.VoidAsync(late.PurchaseId);
        await _payroll.CloseAsync(September);
        var closed = await ReportAsync();
        await AssertEqualsQuotaComplianceAsync(closed);
        await AssertCorrectionsInForceAsync(closed);
        await CheckAsync();

        // November, the next month: a new policy version for it evaluates everyone again under that version.
        const string november = "2025-11";
        await quota.PurchaseAsync(people.Short, people.MerchantB, 120_000, Wib(2025, 10, 3));
        await CheckAsync(October);
        await CheckAsync(november);
        var version = (await quota.SetPolicyAsync(Draft(november, d => d.MerchantCapBasisPoints = 2000))).Version;
        Assert.Equal(version, (await ReportAsync(november)).PolicyVersion);
        await CheckAsync(november);
        _hub.Clock.Set(Wib(2025, 11, 10));
        await quota.PurchaseAsync(people.Short, people.MerchantB, 120_000, Wib(2025, 11, 9));
        await CheckAsync(november);
    }
}
