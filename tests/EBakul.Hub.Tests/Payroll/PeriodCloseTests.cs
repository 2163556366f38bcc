using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using EBakul.Payroll.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>Closing a month: its adjustments, its frozen totals, idempotence, the grace period and the ledger's lock.</summary>
public sealed class PeriodCloseTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public PeriodCloseTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private PayrollService.PayrollServiceClient Client => _arrange.Payroll;

    [Fact]
    public async Task Close_creates_one_adjustment_per_non_compliant_employee_and_freezes_the_totals()
    {
        var p = await _arrange.SeptemberAsync();
        var before = await _arrange.PeriodAsync(September);
        Assert.Equal((PeriodStatus.Open, 0), (before.Status, before.Revision));

        var closed = await _arrange.CloseAsync(September);

        Assert.Equal(4, closed.AdjustmentsCreated);
        var state = closed.Period;
        Assert.Equal((Regency, September, PeriodStatus.Closed, 1, HubFactory.TestAdminId, ""),
            (state.RegencyCode, state.Period, state.Status, state.Revision, state.ClosedBy, state.CorrectionReason));
        Assert.Equal(HubFactory.DefaultNow, state.CloseTime.ToDateTimeOffset());
        Assert.Equal(Wib(2025, 10, 4, 0), state.ClosableFrom.ToDateTimeOffset());
        AssertTotals(state.Totals, employees: 7, exempt: 2, compliant: 1, nonCompliant: 4,
            required: 1_753_335, counted: 800_000, shortfall: 953_335, correction: 953_335);
        Assert.Equal(state, await _arrange.PeriodAsync(September));

        var adjustments = await _arrange.AdjustmentsAsync(September);
        Assert.Equal(p.NonCompliant, adjustments.Select(a => a.Nip));
        var byNip = adjustments.ToDictionary(a => a.Nip);
        AssertAdjustment(byNip[p.Short], p.Short, Health, September, 1, required: 300_000, counted: 100_000, shortfall: 200_000, correction: 200_000);
        AssertAdjustment(byNip[p.Capped], p.Capped, Education, September, 1, required: 500_000, counted: 350_000, shortfall: 150_000, correction: 150_000);
        AssertAdjustment(byNip[p.Nothing], p.Nothing, Education, September, 1, required: 400_001, counted: 0, shortfall: 400_001, correction: 400_001);
        AssertAdjustment(byNip[p.Prorated], p.Prorated, Education, September, 1, required: 253_334, counted: 50_000, shortfall: 203_334, correction: 203_334);
        Assert.Equal($"35.22:{p.Short}:2025-09:r1", byNip[p.Short].IdempotencyKey);
        Assert.All(adjustments, a =>
        {
            Assert.Equal((DeliveryState.Pending, "", "", 0, ""), (a.DeliveryState, a.SupersededByKey, a.EtppReference, a.DeliveryAttempts, a.DeliveredVia));
            Assert.Equal(HubFactory.DefaultNow, a.CreateTime.ToDateTimeOffset());
            Assert.Null(a.DeliverTime);
        });
        Assert.Equal(adjustments.Select(a => a.Sequence).Order(), adjustments.Select(a => a.Sequence));
        Assert.Equal(adjustments.Count, adjustments.Select(a => a.AdjustmentId).Distinct().Count());
        Assert.Equal(953_335, adjustments.Sum(a => a.TppCorrectionRupiah));

        // Compliant, exempt (granted or on leave) and departed employees get none.
        foreach (var nip in new[] { p.Compliant, p.Granted, p.OnLeave, p.Left })
            Assert.DoesNotContain(nip, adjustments.Select(a => a.Nip));
    }

    [Fact]
    public async Task The_correction_never_exceeds_the_TPP_ceiling()
    {
        // The Rp300,000 floor is above this employee's whole TPP of Rp250,000: the shortfall is 300,000 - 20,000, but at
        // most the TPP itself can be deducted.
        var a = await _arrange.Quota.MerchantAsync();
        var nip = await _arrange.Quota.EmployeeAsync(tppCeiling: 250_000, office: Health);
        await _arrange.Quota.PurchaseAsync(nip, a, 20_000, Wib(2025, 9, 9));

        var closed = await _arrange.CloseAsync(September);

        AssertAdjustment(Assert.Single(await _arrange.AdjustmentsAsync(September)), nip, Health, September, 1,
            required: 300_000, counted: 20_000, shortfall: 280_000, correction: 250_000);
        AssertTotals(closed.Period.Totals, employees: 1, exempt: 0, compliant: 0, nonCompliant: 1,
            required: 300_000, counted: 20_000, shortfall: 280_000, correction: 250_000);
    }

    [Fact]
    public async Task The_month_is_closed_under_the_policy_version_in_force_for_it()
    {
        // Version 2 from November: 5% of the TPP ceiling deducted whatever the shortfall.
        var policy = await _arrange.Quota.SetPolicyAsync(Quota.QuotaArrange.Draft("2025-11", d =>
            d.Sanction = new EBakul.Quota.V1.Sanction { Kind = EBakul.Quota.V1.SanctionKind.DeductPercent, BasisPoints = 500 }));
        Assert.Equal(2, policy.Version);
        var a = await _arrange.Quota.MerchantAsync();
        var nip = await _arrange.Quota.EmployeeAsync(tppCeiling: 3_000_003, office: Education);
        _hub.Clock.Set(Wib(2025, 12, 4, 0));
        await _arrange.Quota.PurchaseAsync(nip, a, 100_000, Wib(2025, 11, 10));
        await _arrange.Quota.PurchaseAsync(nip, a, 60_000, Wib(2025, 10, 10));

        await _arrange.CloseAsync(October);
        await _arrange.CloseAsync("2025-11");

        // October, version 1: owes max(300,000, ceil(300,000.3)) = 300,001, counted 60,000, the shortfall 240,001 deducted.
        var october = Assert.Single(await _arrange.AdjustmentsAsync(October));
        AssertAdjustment(october, nip, Education, October, 1, required: 300_001, counted: 60_000, shortfall: 240_001, correction: 240_001);
        // November, version 2: the same 300,001 owed, counted 100,000 (cap 150,000), floor(3,000,003 × 5%) = 150,000 deducted.
        var november = Assert.Single(await _arrange.AdjustmentsAsync("2025-11"));
        Assert.Equal((2, Sanction.DeductPercent, Key(nip, "2025-11", 1)), (november.PolicyVersion, november.Sanction, november.IdempotencyKey));
        Assert.Equal((300_001L, 100_000L, 200_001L, 150_000L),
            (november.RequiredRupiah, november.CountedRupiah, november.ShortfallRupiah, november.TppCorrectionRupiah));
    }

    [Fact]
    public async Task The_close_is_frozen_against_later_roster_changes()
    {
        var p = await _arrange.SeptemberAsync();
        var closed = (await _arrange.CloseAsync(September)).Period;
        var adjustments = await _arrange.AdjustmentsAsync(September);

        // The personnel system raises the TPP ceiling of one employee and moves another to another office.
        await RosterTestData.SyncEmployeeAsync(_hub.Channel, p.Nothing, e =>
        {
            e.TppCeilingRupiah = 9_000_000;
            e.OfficeCode = Health;
            e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2020, 1, 1));
        });

        Assert.Equal(closed, await _arrange.PeriodAsync(September));
        Assert.Equal(adjustments, await _arrange.AdjustmentsAsync(September));
        Assert.Equal(0, (await _arrange.CloseAsync(September)).AdjustmentsCreated);
    }

    [Fact]
    public async Task A_retried_close_gets_its_first_answer_and_another_request_id_creates_nothing()
    {
        await _arrange.SeptemberAsync();
        var first = await _arrange.CloseAsync(September, requestId: "close-2025-09");
        var adjustments = await _arrange.AdjustmentsAsync(September);

        _hub.Clock.Advance(TimeSpan.FromHours(2));
        var again = await _arrange.CloseAsync(September, requestId: "close-2025-09");
        var other = await _arrange.CloseAsync(September, requestId: "close-2025-09-retry");

        Assert.Equal(first, again);
        Assert.Equal((4, 0), (first.AdjustmentsCreated, other.AdjustmentsCreated));
        Assert.Equal(first.Period, other.Period);
        Assert.Equal(adjustments, await _arrange.AdjustmentsAsync(September));
    }

    [Fact]
    public async Task A_close_retried_after_a_correction_was_opened_answers_as_first_and_leaves_the_correction_open()
    {
        await _arrange.SeptemberAsync();
        var first = await _arrange.CloseAsync(September, requestId: "close-2025-09");
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.OpenCorrectionAsync(September);

        var retry = await _arrange.CloseAsync(September, requestId: "close-2025-09");

        Assert.Equal(first, retry);
        var period = await _arrange.PeriodAsync(September);
        Assert.Equal((PeriodStatus.Correcting, 1), (period.Status, period.Revision));
    }

    [Fact]
    public async Task A_close_request_id_cannot_be_reused_for_another_month_or_regency()
    {
        await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September, requestId: "close-once");
        _hub.Clock.Set(Wib(2025, 11, 10, 9));

        var otherMonth = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync(October, requestId: "close-once"));
        var otherRegency = await RpcAssert.Expect(StatusCode.FailedPrecondition,
            () => _arrange.CloseAsync(September, requestId: "close-once", regency: HubFactory.OtherRegencyCode));

        Assert.Equal(("REQUEST_ID_REUSED", "REQUEST_ID_REUSED"), (otherMonth.Reason(), otherRegency.Reason()));
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(October)).Status);
    }

    [Fact]
    public async Task Concurrent_closes_create_each_adjustment_once()
    {
        var p = await _arrange.SeptemberAsync();

        var closes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _arrange.CloseAsync(September, requestId: $"close-{i}")));

        Assert.Equal(4, closes.Sum(c => c.AdjustmentsCreated));
        Assert.All(closes, c => Assert.Equal((PeriodStatus.Closed, 1), (c.Period.Status, c.Period.Revision)));
        Assert.All(closes, c => Assert.Equal(closes[0].Period.Totals, c.Period.Totals));
        var adjustments = await _arrange.AdjustmentsAsync(September);
        Assert.Equal(p.NonCompliant, adjustments.Select(a => a.Nip));
        Assert.All(adjustments, a => Assert.Equal(1, a.Revision));
        Assert.Equal(4, (await _arrange.StreamAsync()).Count);
    }

    [Fact]
    public async Task Purchases_racing_a_close_are_either_counted_in_it_or_refused()
    {
        var merchants = new[] { await _arrange.Quota.MerchantAsync(), await _arrange.Quota.MerchantAsync() };
        var nip = await _arrange.Quota.EmployeeAsync(tppCeiling: 3_000_000, office: Health);
        var started = 0;
        using var tenRecorded = new SemaphoreSlim(0);

        // Two offices' systems record Rp100 purchases one after another, each until the ledger refuses the month.
        async Task<int> RecordUntilClosedAsync(string merchant, int offset)
        {
            for (var i = 0; i < 1_000; i++)
            {
                try
                {
                    await _arrange.Quota.PurchaseAsync(nip, merchant, 100, Wib(2025, 9, 20).AddSeconds(offset + i));
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && e.GetRpcStatus()!.Reason() == "PERIOD_CLOSED")
                {
                    return i;
                }
                if (Interlocked.Increment(ref started) == 10) tenRecorded.Release();
            }
            return -1;
        }

        var recording = merchants.Select((m, n) => Task.Run(() => RecordUntilClosedAsync(m, n * 10_000))).ToList();
        await tenRecorded.WaitAsync(TimeSpan.FromSeconds(30));
        await _arrange.CloseAsync(September);
        var recorded = await Task.WhenAll(recording);

        Assert.All(recorded, r => Assert.InRange(r, 1, 999));
        // Rp100 each, under Rp100,000 at one merchant: below the cap of Rp150,000, so every recorded one counts.
        var counted = 100L * recorded.Sum();
        var adjustment = Assert.Single(await _arrange.AdjustmentsAsync(September));
        AssertAdjustment(adjustment, nip, Health, September, 1,
            required: 300_000, counted: counted, shortfall: 300_000 - counted, correction: 300_000 - counted);
        var ledger = await _arrange.Quota.Ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, Period = September, PageSize = 1000 });
        Assert.Equal(recorded.Sum(), ledger.Purchases.Count);
    }

    [Fact]
    public async Task A_month_is_refused_before_its_end_plus_grace_and_closes_once_the_clock_passes_it()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantA, 50_000, Wib(2025, 10, 10));

        var early = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync(October));
        Assert.Equal("PERIOD_NOT_ENDED", early.Reason());
        Assert.Contains("2025-11-04 00:00 WIB", early.Message);

        // 23:59:59 WIB on 3 November: still within the 3 days of grace.
        _hub.Clock.Set(Wib(2025, 11, 3, 23, 59, 59));
        Assert.Equal("PERIOD_NOT_ENDED", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync(October))).Reason());
        var open = await _arrange.PeriodAsync(October);
        Assert.Equal((PeriodStatus.Open, 0, Wib(2025, 11, 4, 0)), (open.Status, open.Revision, open.ClosableFrom.ToDateTimeOffset()));
        Assert.Empty(await _arrange.AdjustmentsAsync(October));
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 60_000, Wib(2025, 10, 31, 23, 59, 59)); // still accepted

        _hub.Clock.Set(Wib(2025, 11, 4, 0));
        var closed = await _arrange.CloseAsync(October);

        Assert.Equal((PeriodStatus.Closed, 1), (closed.Period.Status, closed.Period.Revision));
        Assert.Equal(Wib(2025, 11, 4, 0), closed.Period.CloseTime.ToDateTimeOffset());
        var shortInOctober = (await _arrange.AdjustmentsAsync(October)).Single(a => a.Nip == p.Short);
        AssertAdjustment(shortInOctober, p.Short, Health, October, 1, required: 300_000, counted: 110_000, shortfall: 190_000, correction: 190_000);
    }

    [Fact]
    public async Task The_grace_period_is_configurable()
    {
        using var hub = new HubFactory();
        hub.Settings["Payroll:CloseGracePeriod"] = "1.00:00:00";
        var arrange = new PayrollArrange(hub);
        await arrange.SeptemberAsync();
        hub.Clock.Set(Wib(2025, 10, 1, 23, 59, 59));

        Assert.Equal(Wib(2025, 10, 2, 0), (await arrange.PeriodAsync(September)).ClosableFrom.ToDateTimeOffset());
        Assert.Equal("PERIOD_NOT_ENDED", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => arrange.CloseAsync(September))).Reason());

        hub.Clock.Set(Wib(2025, 10, 2, 0));
        Assert.Equal(4, (await arrange.CloseAsync(September)).AdjustmentsCreated);
    }

    [Fact]
    public async Task After_the_close_the_ledger_refuses_changes_to_that_month_only()
    {
        var p = await _arrange.SeptemberAsync();
        var octoberPurchase = await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantA, 25_000, Wib(2025, 10, 1, 0));
        await _arrange.CloseAsync(September);
        var ledger = _arrange.Quota.Ledger;

        var purchase = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 200_000, Wib(2025, 9, 30, 23, 59, 59)));
        Assert.Equal("PERIOD_CLOSED", purchase.Reason());
        var voided = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.Quota.VoidAsync(p.CompliantPurchaseAtB));
        Assert.Equal("PERIOD_CLOSED", voided.Reason());

        var batch = new RecordPurchasesRequest { RequestId = TestData.RequestId(), RegencyCode = Regency };
        batch.Purchases.Add(Draft(p.Short, p.MerchantB, 200_000, Wib(2025, 9, 29), "NT-LATE-1"));
        batch.Purchases.Add(Draft(p.Short, p.MerchantB, 30_000, Wib(2025, 10, 2), "NT-OCT-1"));
        var results = (await ledger.RecordPurchasesAsync(batch)).Results;
        Assert.Equal((RecordOutcome.Rejected, "PERIOD_CLOSED"), (results[0].Outcome, results[0].Reason));
        Assert.Equal(RecordOutcome.Recorded, results[1].Outcome);

        // October (the next month) and August (never closed) still take purchases and voids.
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 20_000, Wib(2025, 10, 1, 0));
        await _arrange.Quota.VoidAsync(octoberPurchase.PurchaseId);
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 20_000, Wib(2025, 8, 31, 23, 59, 59));

        // Nothing reached September: its purchases are the arranged ones and the compliant one stands.
        var september = await ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, Period = September, PageSize = 100 });
        Assert.Equal(7, september.Purchases.Count);
        Assert.Equal(4, (await _arrange.AdjustmentsAsync(September)).Count);
    }

    [Fact]
    public async Task A_month_without_a_quota_policy_is_refused_and_stays_open()
    {
        var p = await _arrange.SeptemberAsync();

        // Bojonegoro's policy starts in August 2025: July has nothing to evaluate.
        var refused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync("2025-07"));
        Assert.Equal("QUOTA_POLICY_NOT_IN_FORCE", refused.Reason());

        var july = await _arrange.PeriodAsync("2025-07");
        Assert.Equal((PeriodStatus.Open, 0), (july.Status, july.Revision));
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantA, 10_000, Wib(2025, 7, 15));
        Assert.Empty(await _arrange.AdjustmentsAsync("2025-07"));
    }

    [Fact]
    public async Task Bad_requests_get_precise_statuses_and_change_nothing()
    {
        await _arrange.SeptemberAsync();

        foreach (var period in new[] { "2025-9", "2025-13", "2025-00", "09-2025", "2025/09", "202509", " 2025-09" })
        {
            var status = await RpcAssert.ExpectInvalid("period", () => _arrange.CloseAsync(period));
            Assert.Equal(["period"], status.Fields());
        }
        Assert.Equal(["request_id", "regency_code", "period"],
            (await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.ClosePeriodAsync(new ClosePeriodRequest()).ResponseAsync)).Fields());
        Assert.Equal(["request_id"], (await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.ClosePeriodAsync(
            new ClosePeriodRequest { RegencyCode = Regency, Period = September }).ResponseAsync)).Fields());
        Assert.Equal(["request_id"], (await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.ClosePeriodAsync(
            new ClosePeriodRequest { RequestId = "not a valid id!", RegencyCode = Regency, Period = September }).ResponseAsync)).Fields());

        foreach (var regency in new[] { "35.99", "3522" })
        {
            var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.CloseAsync(September, regency: regency));
            Assert.Equal("REGENCY_NOT_FOUND", unknown.Reason());
        }
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.PeriodAsync(September, "35.99"))).Reason());
        await RpcAssert.ExpectInvalid("period", () => _arrange.PeriodAsync("2025-9"));
        await RpcAssert.ExpectInvalid("period", () => _arrange.AdjustmentsAsync(""));

        var september = await _arrange.PeriodAsync(September);
        Assert.Equal((PeriodStatus.Open, 0, 0), (september.Status, september.Revision, september.Totals.Employees));
        Assert.Null(september.CloseTime);
        Assert.Empty(await _arrange.AdjustmentsAsync(September));
        Assert.Empty(await _arrange.StreamAsync());
    }

    private static PurchaseDraft Draft(string nip, string merchantId, long amount, DateTimeOffset at, string receipt) => new()
    {
        EmployeeNip = nip,
        MerchantId = merchantId,
        AmountRupiah = amount,
        OccurTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at),
        ReceiptKind = ReceiptKind.Nota,
        ReceiptReference = receipt,
    };
}
