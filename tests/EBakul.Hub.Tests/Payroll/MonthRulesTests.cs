using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// The rules that decide a month's rupiah: the roster as it stood in the month, roundings in the employee's favour, no
/// TPP no obligation, and no exemption that contradicts a frozen month.
/// </summary>
public sealed class MonthRulesTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public MonthRulesTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private QuotaArrange Quota => _arrange.Quota;

    [Fact]
    public async Task A_correction_prices_every_untouched_month_with_the_roster_as_it_stood_then()
    {
        var p = await _arrange.SeptemberAsync();
        var first = await _arrange.CloseAsync(September);
        var before = await _arrange.AdjustmentsAsync(September);

        // In October the personnel system moves Short to Education, promotes Capped and raises Nothing's TPP.
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await Quota.ReassignAsync(p.Short, e => (e.OfficeCode, e.OfficeName) = (Education, "Dinas Pendidikan"));
        await Quota.ReassignAsync(p.Capped, e => (e.KelasJabatan, e.TppCeilingRupiah) = (12, 9_000_000));
        await Quota.ReassignAsync(p.Nothing, e => e.TppCeilingRupiah = 6_000_000);
        await _arrange.OpenCorrectionAsync(September);
        _hub.Clock.Set(Wib(2025, 10, 21, 9));
        var corrected = await _arrange.CloseAsync(September);

        Assert.Equal(0, corrected.AdjustmentsCreated);
        Assert.Equal(first.Period.Totals, corrected.Period.Totals);
        Assert.Equal(before.Select(a => a.IdempotencyKey), (await _arrange.AdjustmentsAsync(September)).Select(a => a.IdempotencyKey));
        var september = (await Quota.EvaluateAsync(p.Short, September)).Evaluation;
        var october = (await Quota.EvaluateAsync(p.Short, October)).Evaluation;
        Assert.Equal((Health, Education), (september.OfficeCode, october.OfficeCode));
        Assert.Equal(400_001, (await Quota.EvaluateAsync(p.Nothing, September)).Evaluation.RequiredRupiah);
        Assert.Equal(600_000, (await Quota.EvaluateAsync(p.Nothing, October)).Evaluation.RequiredRupiah);
    }

    [Fact]
    public async Task A_shortfall_above_the_TPP_is_corrected_by_the_whole_TPP_and_says_so()
    {
        // The Rp300,000 floor is above a TPP of Rp250,000: the shortfall stays 300,000, the correction is 250,000.
        var nip = await Quota.EmployeeAsync(tppCeiling: 250_000);
        await _arrange.CloseAsync(September, asItIs: true);

        var adjustment = Assert.Single(await _arrange.AdjustmentsAsync(September));

        Assert.Equal((300_000L, 300_000L, 250_000L, 250_000L),
            (adjustment.RequiredRupiah, adjustment.ShortfallRupiah, adjustment.TppCorrectionRupiah, adjustment.TppCeilingRupiah));
        Assert.Equal(nip, adjustment.Nip);
    }

    [Fact]
    public async Task The_merchant_cap_rounds_up_so_an_odd_requirement_can_be_met_at_two_merchants()
    {
        // 10% of Rp3,000,010 is Rp300,001 to spend; half of it, Rp150,000.5, may count at one merchant: Rp150,001.
        var a = await Quota.MerchantAsync();
        var b = await Quota.MerchantAsync();
        var nip = await Quota.EmployeeAsync(tppCeiling: 3_000_010);
        await Quota.PurchaseAsync(nip, a, 150_001, Wib(2025, 10, 2));
        await Quota.PurchaseAsync(nip, b, 150_000, Wib(2025, 10, 3));

        var result = await Quota.EvaluateAsync(nip, "2025-10");

        Assert.Equal((300_001L, 150_001L, 300_001L), (result.Evaluation.RequiredRupiah, result.Evaluation.MerchantCapRupiah, result.Evaluation.CountedRupiah));
        Assert.Equal(QuotaOutcome.Compliant, result.Evaluation.Outcome);
        Assert.Empty(result.UncountedPurchases);
    }

    [Fact]
    public async Task A_percentage_correction_rounds_down()
    {
        await Quota.SetPolicyAsync(Draft("2025-10", d => d.Sanction = new EBakul.Quota.V1.Sanction { Kind = SanctionKind.DeductPercent, BasisPoints = 333 }), HubFactory.OtherRegencyCode);
        var nip = await Quota.EmployeeAsync(tppCeiling: 3_000_001, regency: HubFactory.OtherRegencyCode);

        var evaluation = (await Quota.EvaluateAsync(nip, "2025-10", HubFactory.OtherRegencyCode)).Evaluation;

        // 3.33% of Rp3,000,001 is Rp99,900.0333: Rp99,900 is deducted.
        Assert.Equal(99_900, evaluation.ProjectedCorrectionRupiah);
    }

    [Fact]
    public async Task An_employee_without_TPP_owes_nothing_and_stays_out_of_the_compliance_figures()
    {
        var none = await Quota.EmployeeAsync(tppCeiling: 0);
        var owes = await Quota.EmployeeAsync(tppCeiling: 3_000_000);

        var evaluation = (await Quota.EvaluateAsync(none, September)).Evaluation;
        var summary = (await Quota.Quota.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = September })).Summary;
        var closed = await _arrange.CloseAsync(September, asItIs: true);

        Assert.Equal((QuotaOutcome.NoTpp, 0L, 0L), (evaluation.Outcome, evaluation.RequiredRupiah, evaluation.ProjectedCorrectionRupiah));
        Assert.Equal((2, 1, 0, 1, 0, 1), (summary.EmployeeCount, summary.NoTppCount, summary.ExemptCount, summary.ObligedCount, summary.CompliantCount, summary.NonCompliantCount));
        Assert.Equal(0, summary.ComplianceRateBasisPoints);
        Assert.Equal((2, 1, 0, 1), (closed.Period.Totals.Employees, closed.Period.Totals.NoTpp, closed.Period.Totals.Exempt, closed.Period.Totals.NonCompliant));
        Assert.Equal(owes, Assert.Single(await _arrange.AdjustmentsAsync(September)).Nip);
    }

    [Fact]
    public async Task Exemptions_of_a_closed_month_are_refused_outside_a_correction()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);

        var grant = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Quota.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = p.Short, Period = September, Reason = "cuti sakit",
        }).ResponseAsync);
        var revoke = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Quota.Quota.RevokeQuotaExemptionAsync(new RevokeQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = p.Granted, Period = September, Reason = "granted in error",
        }).ResponseAsync);

        Assert.Equal(("PERIOD_CLOSED", "PERIOD_CLOSED"), (grant.Reason(), revoke.Reason()));
        Assert.Equal(QuotaOutcome.NonCompliant, (await Quota.EvaluateAsync(p.Short, September)).Evaluation.Outcome);

        // Inside a correction the exemption is part of what the correction's close freezes.
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.OpenCorrectionAsync(September);
        await Quota.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = p.Short, Period = September, Reason = "cuti sakit",
        });
        var corrected = await _arrange.CloseAsync(September);
        Assert.Equal(1, corrected.AdjustmentsCreated);
        Assert.Equal(0, (await _arrange.AdjustmentsAsync(September)).Single(a => a.Nip == p.Short && a.Revision == 2).TppCorrectionRupiah);
    }
}
