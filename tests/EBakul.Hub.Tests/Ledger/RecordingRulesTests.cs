using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Ledger;

/// <summary>
/// What recording a purchase judges, and that recording and counting agree: a purchase is judged as it stood when it
/// was made (the merchant's status at its moment, the employee's status on its date), and the same receipt counts once
/// however it is typed.
/// </summary>
public sealed class RecordingRulesTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public RecordingRulesTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private LedgerService.LedgerServiceClient Ledger => _arrange.Ledger;

    [Fact]
    public async Task A_purchase_made_while_the_merchant_was_active_is_recorded_after_its_suspension_and_counts()
    {
        var merchant = await _arrange.MerchantAsync(changes: [(3, Wib(2025, 10, 10))]);
        var nip = await _arrange.EmployeeAsync();

        var before = await _arrange.PurchaseAsync(nip, merchant, 120_000, Wib(2025, 10, 5));
        var after = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 50_000, Wib(2025, 10, 12)));

        Assert.Equal("MERCHANT_NOT_ACTIVE", after.Reason());
        Assert.Contains("SUSPENDED", after.Message, StringComparison.OrdinalIgnoreCase);
        var evaluation = (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation;
        Assert.Equal(120_000, evaluation.CountedRupiah);
        Assert.Equal(before.PurchaseId, Assert.Single((await Ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, EmployeeNip = nip })).Purchases).PurchaseId);
    }

    [Fact]
    public async Task A_purchase_at_a_merchant_not_yet_verified_at_its_moment_is_refused_not_accepted_to_count_nothing()
    {
        var merchant = await _arrange.MerchantAsync(registeredAt: Wib(2025, 10, 1), verifiedAt: Wib(2025, 10, 14));
        var nip = await _arrange.EmployeeAsync();

        var august = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 80_000, Wib(2025, 8, 20)));
        var pending = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 80_000, Wib(2025, 10, 3)));
        await _arrange.PurchaseAsync(nip, merchant, 80_000, Wib(2025, 10, 14, 12));

        Assert.Equal(("MERCHANT_NOT_ACTIVE", "MERCHANT_NOT_ACTIVE"), (august.Reason(), pending.Reason()));
        Assert.Contains("not yet registered", august.Message);
        Assert.Contains("pending verification", pending.Message);
        var evaluation = await _arrange.EvaluateAsync(nip, "2025-10");
        Assert.Equal(80_000, evaluation.Evaluation.CountedRupiah);
        Assert.Empty(evaluation.UncountedPurchases);
    }

    [Fact]
    public async Task An_employee_who_left_mid_month_records_the_purchases_made_before_leaving_and_they_count()
    {
        var merchant = await _arrange.MerchantAsync();
        var other = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync(changes: [(3, new DateOnly(2025, 10, 10))]);

        await _arrange.PurchaseAsync(nip, merchant, 60_000, Wib(2025, 10, 2));
        await _arrange.PurchaseAsync(nip, other, 40_000, Wib(2025, 10, 9, 23, 59));
        var onLeavingDay = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 10_000, Wib(2025, 10, 10, 8)));

        Assert.Equal("EMPLOYEE_LEFT", onLeavingDay.Reason());
        // In service 9 of 31 days: owes ceil(300,000 × 9 / 31) = 87,097 and has spent 100,000 (cap 43,549 at each merchant).
        var evaluation = (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation;
        Assert.Equal(87_097, evaluation.RequiredRupiah);
        Assert.Equal(40_000 + 43_549, evaluation.CountedRupiah);
    }

    [Fact]
    public async Task A_leaving_date_corrected_later_lets_the_days_in_between_be_recorded_as_they_count()
    {
        var merchant = await _arrange.MerchantAsync();
        // The personnel system first said "left from the 10th", then corrected it to "left from the 14th".
        var nip = await _arrange.EmployeeAsync(changes: [(3, new DateOnly(2025, 10, 10)), (3, new DateOnly(2025, 10, 14))]);
        // The quota owes for 13 days: ceil(300,000 × 13 / 31).
        Assert.Equal(125_807, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.RequiredRupiah);

        await _arrange.PurchaseAsync(nip, merchant, 50_000, Wib(2025, 10, 12));
        var afterLeaving = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 50_000, Wib(2025, 10, 14)));

        Assert.Equal("EMPLOYEE_LEFT", afterLeaving.Reason());
        Assert.Equal(50_000, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.CountedRupiah);
    }

    [Fact]
    public async Task A_departure_withdrawn_by_a_backdated_correction_lets_later_purchases_be_recorded()
    {
        var merchant = await _arrange.MerchantAsync();
        // "Left from 10 October", then corrected: "active since 1 January 2025" (the departure never happened).
        var nip = await _arrange.EmployeeAsync(changes: [(3, new DateOnly(2025, 10, 10)), (1, new DateOnly(2025, 1, 1))]);

        await _arrange.PurchaseAsync(nip, merchant, 50_000, Wib(2025, 10, 15));

        Assert.Equal(50_000, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.CountedRupiah);
    }

    [Fact]
    public async Task A_leaving_date_corrected_earlier_refuses_what_the_month_no_longer_owes_for()
    {
        var merchant = await _arrange.MerchantAsync();
        // Left on the 10th, back on the 12th, then corrected: left from the 8th (the return is withdrawn with it).
        var nip = await _arrange.EmployeeAsync(changes: [(3, new DateOnly(2025, 10, 10)), (1, new DateOnly(2025, 10, 12)), (3, new DateOnly(2025, 10, 8))]);

        var refused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 10_000, Wib(2025, 10, 13)));

        Assert.Equal("EMPLOYEE_LEFT", refused.Reason());
        Assert.Equal(7, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.ActiveDays);
    }

    [Fact]
    public async Task A_purchase_before_the_employee_entered_service_is_refused()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync(activeFrom: new DateOnly(2025, 10, 6));

        var early = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, merchant, 10_000, Wib(2025, 10, 5)));
        await _arrange.PurchaseAsync(nip, merchant, 10_000, Wib(2025, 10, 6));

        Assert.Equal("EMPLOYEE_NOT_YET_IN_SERVICE", early.Reason());
    }

    [Theory]
    [InlineData("ＮＴ－００４２", "full-width letters, digits and hyphen")]
    [InlineData("NT\u200B-0042", "a zero-width space")]
    [InlineData("NT\u20130042", "an en dash")]
    [InlineData("NT\u20100042", "a Unicode hyphen")]
    [InlineData("  nt-0042\u00A0", "lower case, spaces and a no-break space around it")]
    [InlineData("NT\u00AD-0042\uFEFF", "a soft hyphen and a byte-order mark")]
    public async Task A_receipt_typed_with_lookalike_characters_is_the_same_receipt(string lookalike, string variation)
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var first = await RecordAsync(nip, merchant, "NT-0042", 130_000);

        var duplicate = await RpcAssert.Expect(StatusCode.AlreadyExists, () => RecordAsync(nip, merchant, lookalike, 100_000));
        Assert.True(duplicate.Reason() == "RECEIPT_ALREADY_RECORDED", $"{variation}: {duplicate.Reason()}");

        Assert.Equal("RECEIPT_ALREADY_RECORDED", duplicate.Reason());
        Assert.Equal(130_000, (await _arrange.EvaluateAsync(nip, "2025-10")).Evaluation.CountedRupiah);
        Assert.Single((await Ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, EmployeeNip = nip })).Purchases);

        // Voiding releases the receipt under its key: the lookalike may then be recorded, and is shown as typed.
        await _arrange.VoidAsync(first.PurchaseId);
        var again = await RecordAsync(nip, merchant, lookalike, 100_000);
        Assert.Equal(lookalike.Trim(), again.ReceiptReference);
    }

    [Fact]
    public async Task Receipts_are_shown_as_given_and_still_compared_without_case()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();

        var recorded = await RecordAsync(nip, merchant, "  Nota 17/X  ", 50_000);
        var duplicate = await RpcAssert.Expect(StatusCode.AlreadyExists, () => RecordAsync(nip, merchant, "NOTA   17/x", 50_000));

        Assert.Equal("Nota 17/X", recorded.ReceiptReference);
        Assert.Contains("NOTA 17/X", duplicate.Message);
    }

    [Fact]
    public async Task Every_method_taking_an_nip_refuses_an_impossible_one_with_a_field_violation()
    {
        const string month13 = "198513152010011001";
        var merchant = await _arrange.MerchantAsync();

        var single = await RpcAssert.ExpectInvalid("purchase.employee_nip", () => _arrange.PurchaseAsync(month13, merchant, 10_000, Wib(2025, 10, 5)));
        Assert.Equal("NIP_INVALID", single.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Single(v => v.Field == "purchase.employee_nip").Reason);

        var batch = await Ledger.RecordPurchasesAsync(new RecordPurchasesRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency,
            Purchases = { new PurchaseDraft { EmployeeNip = month13, MerchantId = merchant, AmountRupiah = 10_000, OccurTime = Timestamp.FromDateTimeOffset(Wib(2025, 10, 5)),
                ReceiptKind = ReceiptKind.Nota, ReceiptReference = "NT-NIP-1" } },
        });
        var result = Assert.Single(batch.Results);
        Assert.Equal((RecordOutcome.Rejected, "NIP_INVALID", "employee_nip"), (result.Outcome, result.Reason, result.Field));

        var list = await RpcAssert.ExpectInvalid("employee_nip", () => Ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, EmployeeNip = month13 }).ResponseAsync);
        Assert.Equal("NIP_INVALID", list.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Single(v => v.Field == "employee_nip").Reason);
    }

    private async Task<Purchase> RecordAsync(string nip, string merchant, string receipt, long amount) =>
        (await Ledger.RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency,
            Purchase = new PurchaseDraft
            {
                EmployeeNip = nip, MerchantId = merchant, AmountRupiah = amount, OccurTime = Timestamp.FromDateTimeOffset(Wib(2025, 10, 6)),
                ReceiptKind = ReceiptKind.Nota, ReceiptReference = receipt,
            },
        })).Purchase;

    [Fact]
    public async Task A_merchant_migrated_with_its_eligible_since_date_counts_purchases_from_that_date()
    {
        var nip = await _arrange.EmployeeAsync();
        var merchants = new EBakul.Merchants.V1.MerchantService.MerchantServiceClient(_hub.Channel);
        var since = Wib(2025, 8, 1);

        var registered = (await merchants.RegisterMerchantAsync(new EBakul.Merchants.V1.RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Merchant = TestData.ValidMerchantDraft(), EligibleSince = Timestamp.FromDateTimeOffset(since),
        })).Merchant;
        await _arrange.PurchaseAsync(nip, registered.MerchantId, 90_000, Wib(2025, 8, 20));
        var beforeEligible = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.PurchaseAsync(nip, registered.MerchantId, 90_000, Wib(2025, 7, 31)));

        Assert.Equal(EBakul.Merchants.V1.MerchantStatus.Active, registered.Status);
        Assert.Equal("MERCHANT_NOT_ACTIVE", beforeEligible.Reason());
        Assert.Equal(90_000, (await _arrange.EvaluateAsync(nip, "2025-08")).Evaluation.CountedRupiah);

        // Out of the stated window, or without the verify scope, it is refused and nothing is registered.
        var tooOld = await RpcAssert.ExpectInvalid("eligible_since", () => merchants.RegisterMerchantAsync(new EBakul.Merchants.V1.RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Merchant = TestData.ValidMerchantDraft(), EligibleSince = Timestamp.FromDateTimeOffset(Wib(2024, 1, 1)),
        }).ResponseAsync);
        var writerOnly = new EBakul.Merchants.V1.MerchantService.MerchantServiceClient(_hub.ChannelFor(_hub.IssueToken(new EBakul.Hub.Access.Caller
        {
            Id = "registrar", DisplayName = "registrar", Kind = EBakul.Hub.Access.CallerKind.Admin, Regencies = Regency,
            Scopes = EBakul.Hub.Access.Scopes.MerchantsWrite, RateLimitPerSecond = 10_000,
        })));
        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => writerOnly.RegisterMerchantAsync(new EBakul.Merchants.V1.RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Merchant = TestData.ValidMerchantDraft(), EligibleSince = Timestamp.FromDateTimeOffset(since),
        }).ResponseAsync);
        Assert.Equal("ELIGIBLE_SINCE_NEEDS_VERIFY_SCOPE", denied.Reason());
        Assert.Contains("eligible_since", tooOld.Fields());
    }

    [Fact]
    public async Task A_purchase_that_cannot_count_says_so_when_it_is_recorded()
    {
        var nip = await _arrange.EmployeeAsync();
        var warung = await _arrange.MerchantAsync();
        var small = await _arrange.MerchantAsync(scale: (int)EBakul.Merchants.V1.MerchantScale.Small);
        const string tuban = HubFactory.OtherRegencyCode;
        var noPolicyNip = await _arrange.EmployeeAsync(regency: tuban);
        var noPolicyMerchant = await _arrange.MerchantAsync(regency: tuban);

        var counts = await RecordResponseAsync(nip, warung, Regency);
        var excluded = await RecordResponseAsync(nip, small, Regency);
        var unknown = await RecordResponseAsync(noPolicyNip, noPolicyMerchant, tuban);
        var batch = await Ledger.RecordPurchasesAsync(new RecordPurchasesRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency,
            Purchases = { Draft(nip, small, "NT-BATCH-1"), Draft(nip, warung, "NT-BATCH-2") },
        });

        Assert.Equal((QuotaEligibility.Counts, QuotaEligibility.ScaleExcluded, QuotaEligibility.NoPolicy),
            (counts.QuotaEligibility, excluded.QuotaEligibility, unknown.QuotaEligibility));
        Assert.Equal([QuotaEligibility.ScaleExcluded, QuotaEligibility.Counts], batch.Results.Select(r => r.QuotaEligibility));
        var evaluation = await _arrange.EvaluateAsync(nip, "2025-10");
        Assert.Equal(2, evaluation.UncountedPurchases.Count(u => u.Reason == EBakul.Quota.V1.UncountedReason.ScaleExcluded));
    }

    private static PurchaseDraft Draft(string nip, string merchant, string receipt) => new()
    {
        EmployeeNip = nip, MerchantId = merchant, AmountRupiah = 20_000, OccurTime = Timestamp.FromDateTimeOffset(Wib(2025, 10, 7)),
        ReceiptKind = ReceiptKind.Nota, ReceiptReference = receipt,
    };

    private async Task<RecordPurchaseResponse> RecordResponseAsync(string nip, string merchant, string regency) =>
        await Ledger.RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = regency, Purchase = Draft(nip, merchant, $"NT-{Guid.NewGuid():N}"),
        });
}
