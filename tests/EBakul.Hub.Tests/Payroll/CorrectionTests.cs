using EBakul.Audit.V1;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>Reopening a closed month for an explicit correction, and the next revision of its adjustments.</summary>
public sealed class CorrectionTests : IDisposable
{
    private const string Reason = "Inspektorat finding LHP-07/2025: notas recorded late";

    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public CorrectionTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private PayrollService.PayrollServiceClient Client => _arrange.Payroll;

    [Fact]
    public async Task A_correction_produces_revision_2_only_for_changed_results_and_supersedes_revision_1()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var r1 = await _arrange.AdjustmentsAsync(September);
        var shortR1 = Key(p.Short, September, 1);
        await _arrange.AcknowledgeAsync(null, (shortR1, "ETPP-2025-09-0001"));
        r1 = await _arrange.AdjustmentsAsync(September);

        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        var correcting = await _arrange.OpenCorrectionAsync(September, Reason);
        Assert.Equal((PeriodStatus.Correcting, 1, Reason), (correcting.Status, correcting.Revision, correcting.CorrectionReason));
        AssertTotals(correcting.Totals, employees: 7, exempt: 2, compliant: 1, nonCompliant: 4,
            required: 1_753_335, counted: 800_000, shortfall: 953_335, correction: 953_335);
        Assert.Equal(correcting, await _arrange.PeriodAsync(September));

        // Late notas: Short now has 200,000 (shortfall 100,000); Prorated reaches exactly 253,334 (126,667 at each
        // merchant, the cap); Compliant's 150,000 at B is voided (now 150,000 of 300,000).
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 100_000, Wib(2025, 9, 29));
        await _arrange.Quota.PurchaseAsync(p.Prorated, p.MerchantA, 76_667, Wib(2025, 9, 29));
        await _arrange.Quota.PurchaseAsync(p.Prorated, p.MerchantB, 126_667, Wib(2025, 9, 30, 23, 59, 59));
        await _arrange.Quota.VoidAsync(p.CompliantPurchaseAtB, "nota belongs to another employee");
        Assert.DoesNotContain(await _arrange.AdjustmentsAsync(September), a => a.Revision > 1);

        _hub.Clock.Set(Wib(2025, 10, 21, 9));
        var closed = await _arrange.CloseAsync(September);

        Assert.Equal(3, closed.AdjustmentsCreated);
        Assert.Equal((PeriodStatus.Closed, 2, Wib(2025, 10, 21, 9)), (closed.Period.Status, closed.Period.Revision, closed.Period.CloseTime.ToDateTimeOffset()));
        AssertTotals(closed.Period.Totals, employees: 7, exempt: 2, compliant: 1, nonCompliant: 4,
            required: 1_753_335, counted: 953_334, shortfall: 800_001, correction: 800_001);

        var all = await _arrange.AdjustmentsAsync(September);
        Assert.Equal(7, all.Count);
        // Revisions are the employee's own: Short and Prorated are revised (r2), Compliant is short for the first
        // time (r1, superseding nothing), so e-TPP can apply every key in order.
        var r2 = all.Where(a => a.Revision == 2).ToDictionary(a => a.Nip);
        Assert.Equal(new[] { p.Short, p.Prorated }.Order(StringComparer.Ordinal), r2.Keys.Order(StringComparer.Ordinal));
        var firstShortfall = all.Single(a => a.Nip == p.Compliant);
        AssertAdjustment(r2[p.Short], p.Short, Health, September, 2, required: 300_000, counted: 200_000, shortfall: 100_000, correction: 100_000,
            supersedes: shortR1);
        AssertAdjustment(r2[p.Prorated], p.Prorated, Education, September, 2, required: 253_334, counted: 253_334, shortfall: 0, correction: 0,
            supersedes: Key(p.Prorated, September, 1));
        AssertAdjustment(firstShortfall, p.Compliant, Health, September, 1, required: 300_000, counted: 150_000, shortfall: 150_000, correction: 150_000);
        Assert.All(r2.Values.Append(firstShortfall), a =>
        {
            Assert.Equal((DeliveryState.Pending, ""), (a.DeliveryState, a.SupersededByKey));
            Assert.Equal(Wib(2025, 10, 21, 9), a.CreateTime.ToDateTimeOffset());
        });
        Assert.True(r2.Values.Min(a => a.Sequence) > r1.Max(a => a.Sequence));

        // Revision 1 is untouched but for the key that replaced it (and so no longer in force, and SUPERSEDED when e-TPP had
        // not applied it); unchanged employees keep theirs in force.
        var r1After = all.Where(a => a.Revision == 1 && a.Nip != p.Compliant).ToList();
        Assert.Equal(r1.Select(a => a.IdempotencyKey), r1After.Select(a => a.IdempotencyKey));
        Assert.Equal(Key(p.Short, September, 2), r1After.Single(a => a.Nip == p.Short).SupersededByKey);
        Assert.Equal(Key(p.Prorated, September, 2), r1After.Single(a => a.Nip == p.Prorated).SupersededByKey);
        Assert.Equal("", r1After.Single(a => a.Nip == p.Capped).SupersededByKey);
        Assert.Equal("", r1After.Single(a => a.Nip == p.Nothing).SupersededByKey);
        foreach (var after in r1After)
        {
            var unchanged = after.Clone();
            Assert.Equal(after.SupersededByKey == "", after.InForce);
            if (!after.InForce && after.DeliveryState != DeliveryState.Delivered) Assert.Equal(DeliveryState.Superseded, after.DeliveryState);
            unchanged.SupersededByKey = "";
            unchanged.InForce = true;
            if (unchanged.DeliveryState == DeliveryState.Superseded) unchanged.DeliveryState = DeliveryState.Pending;
            Assert.Equal(r1.Single(a => a.IdempotencyKey == after.IdempotencyKey), unchanged);
        }
        var acknowledged = r1After.Single(a => a.IdempotencyKey == shortR1);
        Assert.Equal((DeliveryState.Delivered, "ETPP-2025-09-0001"), (acknowledged.DeliveryState, acknowledged.EtppReference));

        // In force now: Capped r1, Nothing r1, Short r2, Prorated r2 (0: cancelled), Compliant r2: 800,001 in all.
        var inForce = all.Where(a => a.SupersededByKey.Length == 0).ToList();
        Assert.Equal(5, inForce.Count);
        Assert.Equal(800_001, inForce.Sum(a => a.TppCorrectionRupiah));

        // Closed again: the ledger is locked once more.
        var locked = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.Quota.PurchaseAsync(p.Nothing, p.MerchantA, 1_000, Wib(2025, 9, 15)));
        Assert.Equal("PERIOD_CLOSED", locked.Reason());

        var audit = new AuditService.AuditServiceClient(_hub.Channel);
        var events = (await audit.ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events;
        Assert.Equal(2, events.Count(e => e.Method == "/ebakul.payroll.v1.PayrollService/ClosePeriod"));
        Assert.Contains(events, e => e.Method == "/ebakul.payroll.v1.PayrollService/OpenCorrection" && e.Details.Contains("LHP-07/2025"));
    }

    [Fact]
    public async Task A_third_close_without_changes_creates_nothing_and_a_cancelled_adjustment_stays_cancelled()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        await _arrange.OpenCorrectionAsync(September);
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 150_000, Wib(2025, 9, 29));
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantA, 50_000, Wib(2025, 9, 29));
        var second = await _arrange.CloseAsync(September);
        Assert.Equal(1, second.AdjustmentsCreated);
        AssertAdjustment((await _arrange.AdjustmentsAsync(September)).Single(a => a.Revision == 2),
            p.Short, Health, September, 2, required: 300_000, counted: 300_000, shortfall: 0, correction: 0, supersedes: Key(p.Short, September, 1));

        await _arrange.OpenCorrectionAsync(September, "second look, nothing found");
        var third = await _arrange.CloseAsync(September);

        Assert.Equal((0, 3), (third.AdjustmentsCreated, third.Period.Revision));
        Assert.Equal(second.Period.Totals, third.Period.Totals);
        AssertTotals(third.Period.Totals, employees: 7, exempt: 2, compliant: 2, nonCompliant: 3,
            required: 1_753_335, counted: 1_000_000, shortfall: 753_335, correction: 753_335);
        Assert.Equal(5, (await _arrange.AdjustmentsAsync(September)).Count);
    }

    [Fact]
    public async Task Only_a_closed_month_can_be_opened_for_correction_and_a_reason_is_required()
    {
        await _arrange.SeptemberAsync();

        var open = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.OpenCorrectionAsync(September));
        Assert.Equal("PERIOD_NOT_CLOSED", open.Reason());
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(September)).Status);

        await _arrange.CloseAsync(September);
        await RpcAssert.ExpectInvalid("reason", () => _arrange.OpenCorrectionAsync(September, reason: ""));
        await RpcAssert.ExpectInvalid("reason", () => _arrange.OpenCorrectionAsync(September, reason: new string('x', 501)));
        Assert.Equal(new[] { "request_id", "regency_code", "period", "reason" }.Order(),
            (await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.OpenCorrectionAsync(new OpenCorrectionRequest()).ResponseAsync)).Fields().Order());
        await RpcAssert.ExpectInvalid("period", () => _arrange.OpenCorrectionAsync("2025-9"));
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Client.OpenCorrectionAsync(new OpenCorrectionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = "35.99", Period = September, Reason = Reason,
        }).ResponseAsync)).Reason());
        Assert.Equal(PeriodStatus.Closed, (await _arrange.PeriodAsync(September)).Status);

        var opened = await _arrange.OpenCorrectionAsync(September, requestId: "correction-1");
        Assert.Equal(opened, await _arrange.OpenCorrectionAsync(September, requestId: "correction-1")); // replayed

        var twice = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.OpenCorrectionAsync(September, requestId: "correction-2"));
        Assert.Equal("PERIOD_NOT_CLOSED", twice.Reason());
        var reused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.OpenCorrectionAsync(September, "another reason", "correction-1"));
        Assert.Equal("REQUEST_ID_REUSED", reused.Reason());

        // A month never closed (October, still open) cannot be corrected either.
        Assert.Equal("PERIOD_NOT_CLOSED", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.OpenCorrectionAsync(October))).Reason());
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(October)).Status);
    }

    [Fact]
    public async Task An_employee_found_to_have_left_before_the_month_gets_a_cancellation()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        await _arrange.OpenCorrectionAsync(September, "BKD: resignation of August recorded late");

        // The personnel system corrects the roster backwards: Nothing left on 31 August, so September is not theirs.
        await RosterTestData.SyncEmployeeAsync(_hub.Channel, p.Nothing, e =>
        {
            (e.OfficeCode, e.OfficeName, e.TppCeilingRupiah) = (Education, $"Kantor {Education}", 4_000_003);
            e.Status = EBakul.Roster.V1.EmployeeStatus.Left;
            e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2025, 8, 31));
        });
        var closed = await _arrange.CloseAsync(September);

        Assert.Equal(1, closed.AdjustmentsCreated);
        var cancellation = (await _arrange.AdjustmentsAsync(September)).Single(a => a.Revision == 2);
        AssertAdjustment(cancellation, p.Nothing, Education, September, 2, required: 0, counted: 0, shortfall: 0, correction: 0,
            supersedes: Key(p.Nothing, September, 1));
        AssertTotals(closed.Period.Totals, employees: 6, exempt: 2, compliant: 1, nonCompliant: 3,
            required: 1_353_334, counted: 800_000, shortfall: 553_334, correction: 553_334);

        // A later close without changes leaves the cancellation in force.
        await _arrange.OpenCorrectionAsync(September, "second look");
        Assert.Equal(0, (await _arrange.CloseAsync(September)).AdjustmentsCreated);
    }

    [Fact]
    public async Task An_employee_exempted_during_the_correction_gets_a_cancellation()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        await _arrange.OpenCorrectionAsync(September);
        await _arrange.Quota.Quota.GrantQuotaExemptionAsync(new EBakul.Quota.V1.GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = p.Nothing, Period = September, Reason = "sakit, surat dokter",
        });

        var closed = await _arrange.CloseAsync(September);

        Assert.Equal(1, closed.AdjustmentsCreated);
        var cancellation = (await _arrange.AdjustmentsAsync(September)).Single(a => a.Revision == 2);
        AssertAdjustment(cancellation, p.Nothing, Education, September, 2, required: 0, counted: 0, shortfall: 0, correction: 0,
            supersedes: Key(p.Nothing, September, 1));
        AssertTotals(closed.Period.Totals, employees: 7, exempt: 3, compliant: 1, nonCompliant: 3,
            required: 1_353_334, counted: 800_000, shortfall: 553_334, correction: 553_334);
    }
}
