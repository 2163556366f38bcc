using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using EBakul.Quota.V1;
using EBakul.Roster.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests.Quota;

public sealed class QuotaPolicyTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public QuotaPolicyTests() => _arrange = new QuotaArrange(_hub);

    private QuotaService.QuotaServiceClient Client => _arrange.Quota;

    public void Dispose() => _hub.Dispose();

    private async Task<QuotaPolicy> GetAsync(string period, string regency = QuotaArrange.Regency) =>
        (await Client.GetQuotaPolicyAsync(new GetQuotaPolicyRequest { RegencyCode = regency, Period = period })).Policy;

    [Fact]
    public async Task Bojonegoro_starts_with_the_documented_default_from_August_2025()
    {
        var policy = await GetAsync("2025-10");

        Assert.Equal(1, policy.Version);
        Assert.Equal("2025-08", policy.EffectivePeriod);
        Assert.Equal(QuotaPolicyState.InForce, policy.State);
        Assert.Equal(1000, policy.RequiredAmount.TppPercentage.BasisPoints);
        Assert.Equal(300_000, policy.RequiredAmount.TppPercentage.FloorRupiah);
        Assert.Equal(0, policy.RequiredAmount.TppPercentage.CeilingRupiah);
        Assert.Equal(5000, policy.MerchantCapBasisPoints);
        Assert.True(policy.ProrationEnabled);
        Assert.Empty(policy.ExemptEmploymentTypes);
        Assert.Equal(SanctionKind.DeductShortfall, policy.Sanction.Kind);
        Assert.Equal(
            [MerchantCategory.FoodAndDrink, MerchantCategory.Services, MerchantCategory.DailyNeeds, MerchantCategory.IkmProduct, MerchantCategory.Craft],
            policy.CountedCategories);
        Assert.Equal([MerchantScale.UltraMicro, MerchantScale.Micro], policy.CountedScales);
        Assert.Contains("kelas jabatan", policy.Description);

        Assert.Equal(1, (await GetAsync("2025-08")).Version);
        var before = await RpcAssert.Expect(StatusCode.NotFound, () => GetAsync("2025-07"));
        Assert.Equal("QUOTA_POLICY_NOT_FOUND", before.Reason());
    }

    [Fact]
    public async Task A_change_applies_only_from_a_later_month_and_never_retroactively()
    {
        foreach (var month in new[] { "2025-10", "2025-09", "2025-08" })
        {
            var refused = await RpcAssert.Expect(StatusCode.FailedPrecondition,
                () => _arrange.SetPolicyAsync(QuotaArrange.Draft(month)));
            Assert.Equal("POLICY_CHANGE_RETROACTIVE", refused.Reason());
        }
        var list = await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency });
        Assert.Single(list.Policies);

        var v2 = await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12", d => d.MerchantCapBasisPoints = 4000));
        Assert.Equal(2, v2.Version);
        Assert.Equal(QuotaPolicyState.Scheduled, v2.State);
        Assert.Equal(HubFactory.TestAdminId, v2.CreatedBy);

        Assert.Equal(1, (await GetAsync("2025-10")).Version);
        Assert.Equal(1, (await GetAsync("2025-11")).Version);
        Assert.Equal(2, (await GetAsync("2025-12")).Version);
        Assert.Equal(2, (await GetAsync("2026-06")).Version);
    }

    [Fact]
    public async Task A_new_version_for_the_month_of_a_pending_one_replaces_it()
    {
        await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12", d => d.MerchantCapBasisPoints = 4000));
        var v3 = await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12", d => d.MerchantCapBasisPoints = 3000));
        var v4 = await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-11", d => d.MerchantCapBasisPoints = 6000));

        Assert.Equal((3, 4), (v3.Version, v4.Version));
        Assert.Equal(3000, (await GetAsync("2025-12")).MerchantCapBasisPoints);
        Assert.Equal(6000, (await GetAsync("2025-11")).MerchantCapBasisPoints);
        Assert.Equal(1, (await GetAsync("2025-10")).Version);

        var page1 = await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency, PageSize = 2 });
        var page2 = await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest
        {
            RegencyCode = QuotaArrange.Regency, PageSize = 2, PageToken = page1.NextPageToken,
        });
        Assert.Equal("", page2.NextPageToken);
        var all = page1.Policies.Concat(page2.Policies).ToList();
        Assert.Equal([1, 2, 3, 4], all.Select(p => p.Version));
        Assert.Equal(
            [QuotaPolicyState.InForce, QuotaPolicyState.Replaced, QuotaPolicyState.Scheduled, QuotaPolicyState.Scheduled],
            all.Select(p => p.State));
        Assert.Equal(3, all[1].ReplacedByVersion);

        // Once December has come, version 3 is in force and the earlier ones ended.
        _hub.Clock.Set(QuotaArrange.Wib(2025, 12, 1, 0, 0));
        var later = await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency });
        Assert.Equal(
            [QuotaPolicyState.Ended, QuotaPolicyState.Replaced, QuotaPolicyState.InForce, QuotaPolicyState.Ended],
            later.Policies.Select(p => p.State));
        var retro = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12")));
        Assert.Equal("POLICY_CHANGE_RETROACTIVE", retro.Reason());
    }

    [Fact]
    public async Task A_regency_without_a_policy_may_start_in_any_month_then_only_forward()
    {
        var other = HubFactory.OtherRegencyCode;
        var none = await RpcAssert.Expect(StatusCode.NotFound, () => GetAsync("2025-10", other));
        Assert.Equal("QUOTA_POLICY_NOT_FOUND", none.Reason());

        var first = await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-06"), other);
        Assert.Equal((1, QuotaPolicyState.InForce), (first.Version, first.State));
        Assert.Equal(1, (await GetAsync("2025-06", other)).Version);

        var retro = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-09"), other));
        Assert.Equal("POLICY_CHANGE_RETROACTIVE", retro.Reason());
    }

    [Fact]
    public async Task Every_form_and_option_round_trips()
    {
        var kelas = QuotaArrange.Draft("2025-11", d =>
        {
            d.RequiredAmount = KelasJabatanTable(k => k * 100_000);
            d.CountedCategories.Add([MerchantCategory.FoodAndDrink, MerchantCategory.Craft]);
            d.CountedScales.Add([MerchantScale.Micro, MerchantScale.Small]);
            d.ExemptEmploymentTypes.Add(EmploymentType.Pppk);
            d.ProrationEnabled = false;
            d.Sanction = new Sanction { Kind = SanctionKind.DeductPercent, BasisPoints = 250 };
        });
        var stored = await _arrange.SetPolicyAsync(kelas);
        Assert.Equal(17, stored.RequiredAmount.KelasJabatan.Amounts.Count);
        Assert.Equal(1_400_000, stored.RequiredAmount.KelasJabatan.Amounts.Single(a => a.KelasJabatan == 14).AmountRupiah);
        Assert.Equal([MerchantCategory.FoodAndDrink, MerchantCategory.Craft], stored.CountedCategories);
        Assert.Equal([MerchantScale.Micro, MerchantScale.Small], stored.CountedScales);
        Assert.Equal([EmploymentType.Pppk], stored.ExemptEmploymentTypes);
        Assert.False(stored.ProrationEnabled);
        Assert.Equal((SanctionKind.DeductPercent, 250), (stored.Sanction.Kind, stored.Sanction.BasisPoints));
        Assert.Equal(stored, await GetAsync("2025-11"));

        var echelon = await _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12", d => d.RequiredAmount = EchelonTable()));
        Assert.Equal(9, echelon.RequiredAmount.Echelon.Amounts.Count);
        Assert.Equal(50_000, echelon.RequiredAmount.Echelon.Amounts.Single(a => a.Echelon == Echelon.NonStructural).AmountRupiah);
        Assert.Equal(SanctionKind.DeductShortfall, echelon.Sanction.Kind);
    }

    [Fact]
    public async Task A_retried_request_returns_the_first_result_and_a_reused_id_is_refused()
    {
        var request = new SetQuotaPolicyRequest { RequestId = "bkd-2025-0042", RegencyCode = QuotaArrange.Regency, Policy = QuotaArrange.Draft("2025-12") };
        var first = await Client.SetQuotaPolicyAsync(request);
        var retry = await Client.SetQuotaPolicyAsync(request);
        Assert.Equal(first, retry);
        Assert.Equal(2, (await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency })).Policies.Count);

        request.Policy.MerchantCapBasisPoints = 1000;
        var reused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Client.SetQuotaPolicyAsync(request).ResponseAsync);
        Assert.Equal("REQUEST_ID_REUSED", reused.Reason());
    }

    [Fact]
    public async Task Every_bad_value_is_reported_with_its_field_and_nothing_is_stored()
    {
        var table = KelasJabatanTable(k => 100_000);
        table.KelasJabatan.Amounts.RemoveAt(16); // kelas 17 missing
        table.KelasJabatan.Amounts[1].KelasJabatan = 1; // kelas 1 twice, kelas 2 missing
        table.KelasJabatan.Amounts[2].AmountRupiah = -5;
        table.KelasJabatan.Amounts.Add(new KelasJabatanAmount { KelasJabatan = 18, AmountRupiah = 1 });
        var draft = QuotaArrange.Draft("2025-13", d =>
        {
            d.RequiredAmount = table;
            d.CountedCategories.Add([MerchantCategory.ModernRetail, MerchantCategory.FoodAndDrink, MerchantCategory.FoodAndDrink, (MerchantCategory)99]);
            d.CountedScales.Add(MerchantScale.Unspecified);
            d.ExemptEmploymentTypes.Add((EmploymentType)7);
            d.MerchantCapBasisPoints = 0;
            d.Sanction = new Sanction { Kind = SanctionKind.Withhold, BasisPoints = 100 };
            d.Description = new string('x', 2001);
        });

        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.SetQuotaPolicyAsync(
            new SetQuotaPolicyRequest { RequestId = "", RegencyCode = QuotaArrange.Regency, Policy = draft }).ResponseAsync);

        Assert.Equal("REQUEST_INVALID", status.Reason());
        var violations = status.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => (v.Field, v.Reason)).ToList();
        Assert.Equal(
            new (string, string)[]
            {
                ("request_id", "FIELD_REQUIRED"),
                ("policy.effective_period", "PERIOD_INVALID"),
                ("policy.required_amount.kelas_jabatan.amounts[1].kelas_jabatan", "GRADE_DUPLICATE"),
                ("policy.required_amount.kelas_jabatan.amounts[2].amount_rupiah", "AMOUNT_OUT_OF_RANGE"),
                ("policy.required_amount.kelas_jabatan.amounts[16].kelas_jabatan", "GRADE_OUT_OF_RANGE"),
                ("policy.required_amount.kelas_jabatan.amounts", "GRADE_MISSING"),
                ("policy.counted_categories[2]", "VALUE_DUPLICATE"),
                ("policy.counted_categories[3]", "ENUM_VALUE_UNKNOWN"),
                ("policy.counted_categories[0]", "CATEGORY_NEVER_COUNTS"),
                ("policy.counted_scales[0]", "FIELD_REQUIRED"),
                ("policy.exempt_employment_types[0]", "ENUM_VALUE_UNKNOWN"),
                ("policy.merchant_cap_basis_points", "BASIS_POINTS_OUT_OF_RANGE"),
                ("policy.sanction.basis_points", "FIELD_NOT_APPLICABLE"),
                ("policy.description", "FIELD_TOO_LONG"),
            },
            violations);
        Assert.Contains("missing: 2, 17", status.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Single(v => v.Reason == "GRADE_MISSING").Description);

        var list = await Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency });
        Assert.Single(list.Policies);
    }

    [Fact]
    public async Task Bad_percentage_echelon_and_sanction_values_are_reported()
    {
        async Task<IReadOnlyList<string>> Fields(QuotaPolicyDraft draft) =>
            (await RpcAssert.Expect(StatusCode.InvalidArgument, () => _arrange.SetPolicyAsync(draft))).Fields();

        Assert.Equal(
            ["policy.required_amount.tpp_percentage.basis_points", "policy.required_amount.tpp_percentage.floor_rupiah"],
            await Fields(QuotaArrange.Draft("2025-12", d => d.RequiredAmount.TppPercentage = new TppPercentageRule { BasisPoints = 10_001, FloorRupiah = -1 })));
        Assert.Equal(
            ["policy.required_amount.tpp_percentage.ceiling_rupiah"],
            await Fields(QuotaArrange.Draft("2025-12", d => d.RequiredAmount.TppPercentage.CeilingRupiah = 200_000)));

        var echelons = EchelonTable();
        echelons.Echelon.Amounts[0].Echelon = Echelon.Unspecified;
        echelons.Echelon.Amounts[1].AmountRupiah = 100_000_001;
        Assert.Equal(
            ["policy.required_amount.echelon.amounts[0].echelon", "policy.required_amount.echelon.amounts[1].amount_rupiah", "policy.required_amount.echelon.amounts"],
            await Fields(QuotaArrange.Draft("2025-12", d => d.RequiredAmount = echelons)));

        Assert.Equal(["policy.required_amount", "policy.sanction"],
            await Fields(QuotaArrange.Draft("2025-12", d => { d.RequiredAmount = null; d.Sanction = null; })));
        Assert.Equal(["policy.sanction.basis_points"],
            await Fields(QuotaArrange.Draft("2025-12", d => d.Sanction = new Sanction { Kind = SanctionKind.DeductPercent })));
        Assert.Equal(["policy.sanction.kind"],
            await Fields(QuotaArrange.Draft("2025-12", d => d.Sanction = new Sanction())));
        Assert.Equal(["policy.effective_period"], await Fields(QuotaArrange.Draft("")));
        Assert.Equal(["policy"], (await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.SetQuotaPolicyAsync(
            new SetQuotaPolicyRequest { RequestId = "r-1", RegencyCode = QuotaArrange.Regency }).ResponseAsync)).Fields());
    }

    [Fact]
    public async Task Unknown_regency_and_bad_requests_are_refused()
    {
        var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.SetPolicyAsync(QuotaArrange.Draft("2025-12"), "35.99"));
        Assert.Equal("REGENCY_NOT_FOUND", unknown.Reason());
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => GetAsync("2025-10", "35.99"))).Reason());
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () =>
            Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = "35.99" }).ResponseAsync)).Reason());

        Assert.Equal("PERIOD_INVALID", (await RpcAssert.ExpectInvalid("period", () => GetAsync("2025-9"))).Reason());
        await RpcAssert.ExpectInvalid("period", () => GetAsync(""));
        await RpcAssert.ExpectInvalid("regency_code", () => GetAsync("2025-10", ""));
        await RpcAssert.ExpectInvalid("page_token", () =>
            Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency, PageToken = "garbage" }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_size", () =>
            Client.ListQuotaPoliciesAsync(new ListQuotaPoliciesRequest { RegencyCode = QuotaArrange.Regency, PageSize = -1 }).ResponseAsync);
    }

    internal static RequiredAmountRule KelasJabatanTable(Func<int, long> amount)
    {
        var rule = new KelasJabatanRule();
        rule.Amounts.AddRange(Enumerable.Range(1, 17).Select(k => new KelasJabatanAmount { KelasJabatan = k, AmountRupiah = amount(k) }));
        return new RequiredAmountRule { KelasJabatan = rule };
    }

    /// <summary>Probolinggo-like amounts: Rp200,000 for echelon II down to Rp50,000 without echelon.</summary>
    internal static RequiredAmountRule EchelonTable()
    {
        var rule = new EchelonRule();
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.NonStructural, AmountRupiah = 50_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IA, AmountRupiah = 250_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IB, AmountRupiah = 250_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IiA, AmountRupiah = 200_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IiB, AmountRupiah = 200_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IiiA, AmountRupiah = 150_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IiiB, AmountRupiah = 150_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IvA, AmountRupiah = 100_000 });
        rule.Amounts.Add(new EchelonAmount { Echelon = Echelon.IvB, AmountRupiah = 75_000 });
        return new RequiredAmountRule { Echelon = rule };
    }
}
