using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using EBakul.Quota.V1;
using EBakul.Roster.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Quota;

/// <summary>One employee's month under Bojonegoro's default (10% of TPP, floor Rp300,000, 50% cap, proration, shortfall deducted).</summary>
public sealed class QuotaEvaluationTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public QuotaEvaluationTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Purchases_count_at_a_merchant_until_the_cap_and_exactly_the_minimum_is_compliant()
    {
        var nip = await _arrange.EmployeeAsync(tppCeiling: 3_000_000);
        var warung = await _arrange.MerchantAsync();
        var batik = await _arrange.MerchantAsync(category: (int)MerchantCategory.Craft, scale: (int)MerchantScale.UltraMicro);
        await _arrange.PurchaseAsync(nip, warung, 100_000, Wib(2025, 10, 2));
        var crossing = await _arrange.PurchaseAsync(nip, warung, 80_000, Wib(2025, 10, 3));
        var beyond = await _arrange.PurchaseAsync(nip, warung, 20_000, Wib(2025, 10, 4));
        await _arrange.PurchaseAsync(nip, batik, 150_000, Wib(2025, 10, 5));

        var result = await _arrange.EvaluateAsync(nip, "2025-10");

        var e = result.Evaluation;
        Assert.Equal((nip, "1.02.01", "2025-10", 1), (e.Nip, e.OfficeCode, e.Period, e.PolicyVersion));
        Assert.Equal((300_000L, 300_000L, 0L), (e.RequiredRupiah, e.CountedRupiah, e.RemainingRupiah));
        Assert.Equal(QuotaOutcome.Compliant, e.Outcome);
        Assert.True(e.Compliant);
        Assert.Null(e.Exemption);
        Assert.Equal(0, e.ProjectedCorrectionRupiah);
        Assert.Equal(150_000, e.MerchantCapRupiah);
        Assert.Equal((31, 31, 300_000L), (e.ActiveDays, e.DaysInPeriod, e.FullMonthRequiredRupiah));

        var byMerchant = result.Merchants.ToDictionary(m => m.MerchantId);
        Assert.Equal((200_000L, 200_000L, 150_000L, 50_000L),
            (byMerchant[warung].SpentRupiah, byMerchant[warung].EligibleRupiah, byMerchant[warung].CountedRupiah, byMerchant[warung].CappedRupiah));
        Assert.Equal((150_000L, 150_000L, 150_000L, 0L),
            (byMerchant[batik].SpentRupiah, byMerchant[batik].EligibleRupiah, byMerchant[batik].CountedRupiah, byMerchant[batik].CappedRupiah));

        Assert.Equal(
            [(crossing.PurchaseId, 80_000L, 50_000L), (beyond.PurchaseId, 20_000L, 0L)],
            result.UncountedPurchases.Select(u => (u.PurchaseId, u.AmountRupiah, u.CountedRupiah)));
        Assert.All(result.UncountedPurchases, u => Assert.Equal(UncountedReason.OverMerchantCap, u.Reason));
        Assert.Contains("Rp150,000", result.UncountedPurchases[0].Explanation);
    }

    [Fact]
    public async Task One_rupiah_short_is_not_compliant_and_the_shortfall_is_deducted()
    {
        var nip = await _arrange.EmployeeAsync(tppCeiling: 3_000_000);
        await _arrange.PurchaseAsync(nip, await _arrange.MerchantAsync(), 150_000, Wib(2025, 10, 2));
        await _arrange.PurchaseAsync(nip, await _arrange.MerchantAsync(), 149_999, Wib(2025, 10, 3));

        var e = (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation;

        Assert.Equal((QuotaOutcome.NonCompliant, false), (e.Outcome, e.Compliant));
        Assert.Equal((299_999L, 1L), (e.CountedRupiah, e.RemainingRupiah));
        Assert.Equal((SanctionKind.DeductShortfall, 1L), (e.SanctionKind, e.ProjectedCorrectionRupiah));
    }

    [Fact]
    public async Task Every_purchase_that_does_not_count_says_why()
    {
        var nip = await _arrange.EmployeeAsync(tppCeiling: 3_000_000);
        var late = await _arrange.MerchantAsync(
            registeredAt: Wib(2025, 10, 1), verifiedAt: Wib(2025, 10, 5),
            changes: [(3, Wib(2025, 10, 7, 12)), (2, Wib(2025, 10, 9, 8))]);
        var small = await _arrange.MerchantAsync(scale: (int)MerchantScale.Small);
        var warung = await _arrange.MerchantAsync();

        var pending = await _arrange.LegacyPurchaseAsync(nip, late, 10_000, Wib(2025, 10, 3));
        var suspended = await _arrange.LegacyPurchaseAsync(nip, late, 20_000, Wib(2025, 10, 8));
        await _arrange.PurchaseAsync(nip, late, 30_000, Wib(2025, 10, 9, 9));
        var tooBig = await _arrange.PurchaseAsync(nip, small, 40_000, Wib(2025, 10, 10));
        var voided = await _arrange.PurchaseAsync(nip, warung, 50_000, Wib(2025, 10, 11));
        await _arrange.PurchaseAsync(nip, warung, 60_000, Wib(2025, 10, 12));
        await _arrange.VoidAsync(voided.PurchaseId, "nota belongs to another employee");

        var result = await _arrange.EvaluateAsync(nip, "2025-10");

        Assert.Equal(90_000, result.Evaluation.CountedRupiah);
        Assert.Equal(
            [
                (pending.PurchaseId, UncountedReason.MerchantNotActiveAtTime),
                (suspended.PurchaseId, UncountedReason.MerchantNotActiveAtTime),
                (tooBig.PurchaseId, UncountedReason.ScaleExcluded),
                (voided.PurchaseId, UncountedReason.Voided),
            ],
            result.UncountedPurchases.Select(u => (u.PurchaseId, u.Reason)));
        Assert.Contains("PENDING_VERIFICATION", result.UncountedPurchases[0].Explanation);
        Assert.Contains("SUSPENDED", result.UncountedPurchases[1].Explanation);
        Assert.Contains("SMALL", result.UncountedPurchases[2].Explanation);
        Assert.Contains("nota belongs to another employee", result.UncountedPurchases[3].Explanation);
        Assert.All(result.UncountedPurchases, u => Assert.Equal(0, u.CountedRupiah));

        var byMerchant = result.Merchants.ToDictionary(m => m.MerchantId);
        Assert.Equal((60_000L, 30_000L, 30_000L), (byMerchant[late].SpentRupiah, byMerchant[late].EligibleRupiah, byMerchant[late].CountedRupiah));
        Assert.Equal((40_000L, 0L), (byMerchant[small].SpentRupiah, byMerchant[small].CountedRupiah));
        Assert.Equal((60_000L, 60_000L), (byMerchant[warung].SpentRupiah, byMerchant[warung].CountedRupiah));
    }

    [Fact]
    public async Task The_regency_evaluation_takes_the_merchant_status_at_the_moment_of_each_purchase_too()
    {
        var nip = await _arrange.EmployeeAsync(tppCeiling: 3_000_000);
        var late = await _arrange.MerchantAsync(registeredAt: Wib(2025, 10, 1), verifiedAt: Wib(2025, 10, 5));
        var pausedAllSeptember = await _arrange.MerchantAsync(changes: [(3, Wib(2025, 8, 25)), (2, Wib(2025, 10, 2))]);
        var activeAtStart = await _arrange.MerchantAsync(changes: [(3, Wib(2025, 9, 20)), (2, Wib(2025, 9, 22))]);
        await _arrange.LegacyPurchaseAsync(nip, late, 10_000, Wib(2025, 10, 4, 23, 59, 59));
        await _arrange.PurchaseAsync(nip, late, 20_000, Wib(2025, 10, 5));
        await _arrange.LegacyPurchaseAsync(nip, pausedAllSeptember, 30_000, Wib(2025, 9, 15));
        await _arrange.PurchaseAsync(nip, activeAtStart, 40_000, Wib(2025, 9, 5));
        await _arrange.LegacyPurchaseAsync(nip, activeAtStart, 50_000, Wib(2025, 9, 21));

        foreach (var (period, counted) in new[] { ("2025-09", 40_000L), ("2025-10", 20_000L) })
        {
            var detail = (await _arrange.EvaluateAsync(nip, period)).Evaluation;
            Assert.Equal(counted, detail.CountedRupiah);
            using var call = _arrange.Quota.StreamEmployeeEvaluations(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = period });
            var streamed = new List<EmployeeEvaluation>();
            await foreach (var response in call.ResponseStream.ReadAllAsync()) streamed.Add(response.Evaluation);
            Assert.Equal(detail, Assert.Single(streamed));
        }
    }

    [Fact]
    public async Task Categories_left_out_by_the_policy_do_not_count()
    {
        const string tuban = HubFactory.OtherRegencyCode;
        await _arrange.SetPolicyAsync(Draft("2025-10", d => d.CountedCategories.Add(MerchantCategory.FoodAndDrink)), tuban);
        var nip = await _arrange.EmployeeAsync(regency: tuban);
        var laundry = await _arrange.MerchantAsync(category: (int)MerchantCategory.Services, regency: tuban);
        var purchase = await _arrange.PurchaseAsync(nip, laundry, 45_000, Wib(2025, 10, 6), tuban);
        await _arrange.PurchaseAsync(nip, await _arrange.MerchantAsync(regency: tuban), 55_000, Wib(2025, 10, 7), tuban);

        var result = await _arrange.EvaluateAsync(nip, "2025-10", tuban);

        Assert.Equal(55_000, result.Evaluation.CountedRupiah);
        var uncounted = Assert.Single(result.UncountedPurchases);
        Assert.Equal((purchase.PurchaseId, UncountedReason.CategoryExcluded), (uncounted.PurchaseId, uncounted.Reason));
        Assert.Contains("SERVICES", uncounted.Explanation);
    }

    [Fact]
    public async Task Month_boundaries_are_Asia_Jakarta()
    {
        var nip = await _arrange.EmployeeAsync();
        var warung = await _arrange.MerchantAsync();
        await _arrange.PurchaseAsync(nip, warung, 100_000, Wib(2025, 9, 30, 23, 59, 59));
        await _arrange.PurchaseAsync(nip, warung, 50_000, Wib(2025, 10, 1, 0, 0, 0));

        Assert.Equal(100_000, (await _arrange.EvaluateAsync(nip, "2025-09")).Evaluation.CountedRupiah);
        Assert.Equal(50_000, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.CountedRupiah);
    }

    [Fact]
    public async Task The_percentage_of_TPP_rounds_up_and_is_bounded_by_floor_and_ceiling()
    {
        var roundsUp = await _arrange.EmployeeAsync(tppCeiling: 5_000_005);
        var floored = await _arrange.EmployeeAsync(tppCeiling: 2_000_000);
        Assert.Equal(500_001, (await _arrange.EvaluateAsync(roundsUp, "2025-10")).Evaluation.RequiredRupiah);
        Assert.Equal(300_000, (await _arrange.EvaluateAsync(floored, "2025-10")).Evaluation.RequiredRupiah);

        const string tuban = HubFactory.OtherRegencyCode;
        await _arrange.SetPolicyAsync(Draft("2025-10", d => d.RequiredAmount.TppPercentage = new TppPercentageRule
        {
            BasisPoints = 1250, FloorRupiah = 100_000, CeilingRupiah = 750_000,
        }), tuban);
        var share = await _arrange.EmployeeAsync(tppCeiling: 3_333_333, regency: tuban);
        var capped = await _arrange.EmployeeAsync(tppCeiling: 10_000_000, regency: tuban);
        var low = await _arrange.EmployeeAsync(tppCeiling: 100_000, regency: tuban);
        Assert.Equal(416_667, (await _arrange.EvaluateAsync(share, "2025-10", tuban)).Evaluation.RequiredRupiah);
        Assert.Equal(750_000, (await _arrange.EvaluateAsync(capped, "2025-10", tuban)).Evaluation.RequiredRupiah);
        Assert.Equal(100_000, (await _arrange.EvaluateAsync(low, "2025-10", tuban)).Evaluation.RequiredRupiah);
    }

    [Fact]
    public async Task Kelas_jabatan_and_echelon_tables_set_the_amount()
    {
        var class14 = await _arrange.EmployeeAsync(kelasJabatan: 14, echelon: (int)Echelon.IvA);
        var class3 = await _arrange.EmployeeAsync(kelasJabatan: 3, echelon: (int)Echelon.NonStructural);

        await _arrange.SetPolicyAsync(Draft("2025-11", d => d.RequiredAmount = QuotaPolicyTests.KelasJabatanTable(k => k * 75_000)));
        Assert.Equal(1_050_000, (await _arrange.EvaluateAsync(class14, "2025-11")).Evaluation.RequiredRupiah);
        Assert.Equal(225_000, (await _arrange.EvaluateAsync(class3, "2025-11")).Evaluation.RequiredRupiah);
        Assert.Equal(300_000, (await _arrange.EvaluateAsync(class14, "2025-10")).Evaluation.RequiredRupiah);

        await _arrange.SetPolicyAsync(Draft("2025-12", d => d.RequiredAmount = QuotaPolicyTests.EchelonTable()));
        Assert.Equal(100_000, (await _arrange.EvaluateAsync(class14, "2025-12")).Evaluation.RequiredRupiah);
        Assert.Equal(50_000, (await _arrange.EvaluateAsync(class3, "2025-12")).Evaluation.RequiredRupiah);
    }

    [Fact]
    public async Task Each_sanction_projects_its_correction()
    {
        var nip = await _arrange.EmployeeAsync(tppCeiling: 4_000_003);
        var poor = await _arrange.EmployeeAsync(tppCeiling: 200_000);
        await _arrange.PurchaseAsync(nip, await _arrange.MerchantAsync(), 120_000, Wib(2025, 10, 2));

        var shortfall = (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation;
        Assert.Equal((400_001L, 120_000L, 280_001L), (shortfall.RequiredRupiah, shortfall.CountedRupiah, shortfall.RemainingRupiah));
        Assert.Equal((SanctionKind.DeductShortfall, 280_001L), (shortfall.SanctionKind, shortfall.ProjectedCorrectionRupiah));
        // The floor exceeds this employee's whole TPP: the correction stops at the TPP ceiling.
        var capped = (await _arrange.EvaluateAsync(poor, "2025-10")).Evaluation;
        Assert.Equal((300_000L, 200_000L), (capped.RemainingRupiah, capped.ProjectedCorrectionRupiah));

        await _arrange.SetPolicyAsync(Draft("2025-11", d => d.Sanction = new Sanction { Kind = SanctionKind.DeductPercent, BasisPoints = 250 }));
        var percent = (await _arrange.EvaluateAsync(nip, "2025-11")).Evaluation;
        Assert.Equal((SanctionKind.DeductPercent, 100_000L), (percent.SanctionKind, percent.ProjectedCorrectionRupiah));

        await _arrange.SetPolicyAsync(Draft("2025-11", d => d.Sanction = new Sanction { Kind = SanctionKind.Withhold }));
        var withheld = (await _arrange.EvaluateAsync(nip, "2025-11")).Evaluation;
        Assert.Equal((3, SanctionKind.Withhold, 4_000_003L), (withheld.PolicyVersion, withheld.SanctionKind, withheld.ProjectedCorrectionRupiah));
    }

    [Fact]
    public async Task Part_month_employees_owe_a_prorated_amount_rounded_up()
    {
        var newHire = await _arrange.EmployeeAsync(tppCeiling: 3_000_000, activeFrom: new DateOnly(2025, 10, 11));
        var leaves = await _arrange.EmployeeAsync(tppCeiling: 3_000_000, changes: [(2, new DateOnly(2025, 10, 11))]);
        var back = await _arrange.EmployeeAsync(tppCeiling: 3_000_000,
            changes: [(2, new DateOnly(2025, 8, 1)), (1, new DateOnly(2025, 9, 16))]);

        var hired = (await _arrange.EvaluateAsync(newHire, "2025-10")).Evaluation;
        Assert.Equal((21, 31, 300_000L, 203_226L), (hired.ActiveDays, hired.DaysInPeriod, hired.FullMonthRequiredRupiah, hired.RequiredRupiah));
        Assert.Equal(101_613, hired.MerchantCapRupiah);

        var onLeave = (await _arrange.EvaluateAsync(leaves, "2025-10")).Evaluation;
        Assert.Equal((10, 96_775L), (onLeave.ActiveDays, onLeave.RequiredRupiah));

        var returned = (await _arrange.EvaluateAsync(back, "2025-09")).Evaluation;
        Assert.Equal((15, 150_000L), (returned.ActiveDays, returned.RequiredRupiah));

        // A new hire's purchases count against the prorated amount.
        await _arrange.PurchaseAsync(newHire, await _arrange.MerchantAsync(), 101_613, Wib(2025, 10, 12));
        await _arrange.PurchaseAsync(newHire, await _arrange.MerchantAsync(), 101_613, Wib(2025, 10, 13));
        Assert.Equal(QuotaOutcome.Compliant, (await _arrange.EvaluateAsync(newHire, "2025-10")).Evaluation.Outcome);
    }

    [Fact]
    public async Task Without_proration_a_part_month_employee_owes_the_full_amount()
    {
        const string tuban = HubFactory.OtherRegencyCode;
        await _arrange.SetPolicyAsync(Draft("2025-10", d => d.ProrationEnabled = false), tuban);
        var newHire = await _arrange.EmployeeAsync(tppCeiling: 3_000_000, activeFrom: new DateOnly(2025, 10, 11), regency: tuban);

        var e = (await _arrange.EvaluateAsync(newHire, "2025-10", tuban)).Evaluation;
        Assert.Equal((21, 300_000L), (e.ActiveDays, e.RequiredRupiah));
    }

    [Fact]
    public async Task Not_active_any_day_of_the_month_is_exempt()
    {
        var onLeave = await _arrange.EmployeeAsync(changes: [(2, new DateOnly(2025, 9, 15))]);
        var left = await _arrange.EmployeeAsync(changes: [(3, new DateOnly(2025, 8, 31))]);
        var notYet = await _arrange.EmployeeAsync(activeFrom: new DateOnly(2025, 10, 1));
        await _arrange.PurchaseAsync(onLeave, await _arrange.MerchantAsync(), 25_000, Wib(2025, 10, 3));

        var leave = (await _arrange.EvaluateAsync(onLeave, "2025-10")).Evaluation;
        Assert.Equal((QuotaOutcome.Exempt, false), (leave.Outcome, leave.Compliant));
        Assert.Equal(ExemptionKind.NotActive, leave.Exemption.Kind);
        Assert.Contains("ON_LEAVE", leave.Exemption.Reason);
        Assert.Equal((0L, 25_000L, 0L, 0L, 300_000L, 0),
            (leave.RequiredRupiah, leave.CountedRupiah, leave.RemainingRupiah, leave.ProjectedCorrectionRupiah, leave.FullMonthRequiredRupiah, leave.ActiveDays));
        Assert.Equal(QuotaOutcome.NonCompliant, (await _arrange.EvaluateAsync(onLeave, "2025-09")).Evaluation.Outcome);

        var gone = (await _arrange.EvaluateAsync(left, "2025-10")).Evaluation;
        Assert.Equal(ExemptionKind.NotActive, gone.Exemption.Kind);
        Assert.Contains("LEFT", gone.Exemption.Reason);

        var before = (await _arrange.EvaluateAsync(notYet, "2025-09")).Evaluation;
        Assert.Equal(ExemptionKind.NotActive, before.Exemption.Kind);
        Assert.Contains("not employed", before.Exemption.Reason);
    }

    [Fact]
    public async Task Employment_types_exempted_by_the_policy_are_exempt()
    {
        var pppk = await _arrange.EmployeeAsync(employmentType: (int)EmploymentType.Pppk);
        var pns = await _arrange.EmployeeAsync(employmentType: (int)EmploymentType.Pns);
        await _arrange.SetPolicyAsync(Draft("2025-11", d => d.ExemptEmploymentTypes.Add(EmploymentType.Pppk)));

        var exempt = (await _arrange.EvaluateAsync(pppk, "2025-11")).Evaluation;
        Assert.Equal((QuotaOutcome.Exempt, ExemptionKind.EmploymentType), (exempt.Outcome, exempt.Exemption.Kind));
        Assert.Contains("PPPK", exempt.Exemption.Reason);
        Assert.Equal(QuotaOutcome.NonCompliant, (await _arrange.EvaluateAsync(pns, "2025-11")).Evaluation.Outcome);
        Assert.Equal(QuotaOutcome.NonCompliant, (await _arrange.EvaluateAsync(pppk, "2025-10")).Evaluation.Outcome);
    }

    [Fact]
    public async Task An_explicit_exemption_is_granted_and_revoked_with_reasons()
    {
        var nip = await _arrange.EmployeeAsync();
        var grant = new GrantQuotaExemptionRequest
        {
            RequestId = "bkd-exempt-1", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "tugas belajar, SK 800/123/2025",
        };
        var granted = (await _arrange.Quota.GrantQuotaExemptionAsync(grant)).Exemption;
        Assert.Equal((nip, "2025-10", "tugas belajar, SK 800/123/2025", HubFactory.TestAdminId), (granted.Nip, granted.Period, granted.Reason, granted.GrantedBy));
        Assert.Null(granted.RevokeTime);
        Assert.Equal(granted, (await _arrange.Quota.GrantQuotaExemptionAsync(grant)).Exemption);

        var exempt = (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation;
        Assert.Equal((QuotaOutcome.Exempt, ExemptionKind.Granted), (exempt.Outcome, exempt.Exemption.Kind));
        Assert.Equal("tugas belajar, SK 800/123/2025", exempt.Exemption.Reason);
        Assert.Equal(QuotaOutcome.NonCompliant, (await _arrange.EvaluateAsync(nip, "2025-09")).Evaluation.Outcome);

        var twice = await RpcAssert.Expect(StatusCode.AlreadyExists, () => _arrange.Quota.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RequestId = "bkd-exempt-2", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "again" }).ResponseAsync);
        Assert.Equal("EXEMPTION_ALREADY_GRANTED", twice.Reason());

        var revoke = new RevokeQuotaExemptionRequest { RequestId = "bkd-revoke-1", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "study leave cancelled" };
        var revoked = (await _arrange.Quota.RevokeQuotaExemptionAsync(revoke)).Exemption;
        Assert.Equal((granted.ExemptionId, "study leave cancelled", HubFactory.TestAdminId), (revoked.ExemptionId, revoked.RevokeReason, revoked.RevokedBy));
        Assert.NotNull(revoked.RevokeTime);
        Assert.Equal(QuotaOutcome.NonCompliant, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.Outcome);

        var none = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.Quota.RevokeQuotaExemptionAsync(
            new RevokeQuotaExemptionRequest { RequestId = "bkd-revoke-2", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "again" }).ResponseAsync);
        Assert.Equal("EXEMPTION_NOT_FOUND", none.Reason());

        var regrant = (await _arrange.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = "bkd-exempt-3", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "cuti besar",
        })).Exemption;
        var list = await _arrange.Quota.ListQuotaExemptionsAsync(new ListQuotaExemptionsRequest { RegencyCode = Regency, Period = "2025-10", PageSize = 1 });
        var rest = await _arrange.Quota.ListQuotaExemptionsAsync(new ListQuotaExemptionsRequest
        {
            RegencyCode = Regency, Period = "2025-10", PageSize = 1, PageToken = list.NextPageToken,
        });
        Assert.Equal([revoked, regrant], list.Exemptions.Concat(rest.Exemptions));
        Assert.Equal("", rest.NextPageToken);
        Assert.Empty((await _arrange.Quota.ListQuotaExemptionsAsync(new ListQuotaExemptionsRequest { RegencyCode = Regency, Period = "2025-11" })).Exemptions);
    }

    [Fact]
    public async Task Exemption_requests_are_checked()
    {
        var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = "x-1", RegencyCode = Regency, Nip = NewNip(), Period = "2025-10", Reason = "r",
        }).ResponseAsync);
        Assert.Equal("EMPLOYEE_NOT_FOUND", unknown.Reason());

        var elsewhere = await _arrange.EmployeeAsync(regency: HubFactory.OtherRegencyCode);
        Assert.Equal("EMPLOYEE_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.Quota.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RequestId = "x-2", RegencyCode = Regency, Nip = elsewhere, Period = "2025-10", Reason = "r" }).ResponseAsync)).Reason());

        var invalid = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _arrange.Quota.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RegencyCode = Regency, Nip = "12345", Period = "10-2025", Reason = "" }).ResponseAsync);
        Assert.Equal(["request_id", "nip", "period", "reason"], invalid.Fields());
        Assert.Equal(["request_id", "nip", "period", "reason"], (await RpcAssert.Expect(StatusCode.InvalidArgument, () =>
            _arrange.Quota.RevokeQuotaExemptionAsync(new RevokeQuotaExemptionRequest { RegencyCode = Regency }).ResponseAsync)).Fields());
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.Quota.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RequestId = "x-3", RegencyCode = "35.99", Nip = elsewhere, Period = "2025-10", Reason = "r" }).ResponseAsync)).Reason());
        await RpcAssert.ExpectInvalid("period", () => _arrange.Quota.ListQuotaExemptionsAsync(new ListQuotaExemptionsRequest { RegencyCode = Regency }).ResponseAsync);
    }

    [Fact]
    public async Task Evaluation_requests_are_checked()
    {
        var nip = await _arrange.EmployeeAsync();

        var unknownEmployee = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.EvaluateAsync(NewNip(), "2025-10"));
        Assert.Equal("EMPLOYEE_NOT_FOUND", unknownEmployee.Reason());
        var noPolicy = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.EvaluateAsync(nip, "2025-10", HubFactory.OtherRegencyCode));
        Assert.Equal("QUOTA_POLICY_NOT_IN_FORCE", noPolicy.Reason());
        await _arrange.SetPolicyAsync(Draft("2025-10"), HubFactory.OtherRegencyCode);
        var otherRegency = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.EvaluateAsync(nip, "2025-10", HubFactory.OtherRegencyCode));
        Assert.Equal("EMPLOYEE_NOT_FOUND", otherRegency.Reason());
        var unknownRegency = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.EvaluateAsync(nip, "2025-10", "35.99"));
        Assert.Equal("REGENCY_NOT_FOUND", unknownRegency.Reason());
        var beforeProgram = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.EvaluateAsync(nip, "2025-07"));
        Assert.Equal("QUOTA_POLICY_NOT_IN_FORCE", beforeProgram.Reason());

        Assert.Equal("PERIOD_INVALID", (await RpcAssert.ExpectInvalid("period", () => _arrange.EvaluateAsync(nip, "2025-10-01"))).Reason());
        Assert.Equal("NIP_INVALID", (await RpcAssert.ExpectInvalid("nip", () => _arrange.EvaluateAsync("19850315", "2025-10"))).Reason());
        var empty = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _arrange.Quota.EvaluateEmployeeAsync(new EvaluateEmployeeRequest()).ResponseAsync);
        Assert.Equal(["regency_code", "nip", "period"], empty.Fields());
    }
}
