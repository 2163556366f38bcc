using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// A month closed with one DEDUCT_SHORTFALL adjustment per employee, pushed by the hub's dispatcher into a simulated
/// e-TPP that misbehaves. Whatever e-TPP does, every adjustment ends applied exactly once, or parked with e-TPP's reason,
/// and the hub's delivery states say the same as e-TPP.
/// </summary>
[Collection(PushTestCollection.Name)]
public sealed class PushFaultTests
{
    [Theory]
    [InlineData("unavailable")]
    [InlineData("reset")]
    public async Task An_outage_longer_than_the_breakers_break_opens_it_and_everything_is_applied_once_after_it(string mode)
    {
        using var metrics = new PushMetrics();
        await using var rig = await PushRig.StartAsync();
        var nips = await rig.EmployeesAsync(12);
        // Down for 4 s from just before the close (a hub's first start on a fresh database can take longer than that on a
        // loaded host); the breaker breaks for 1 s at a time, so it opens, tries, opens again, and closes once e-TPP is back.
        await rig.Etpp.SetFaultsAsync(new { down_for_seconds = 4, outage_mode = mode });
        await rig.CloseAsync(12);

        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, nips);
        Assert.True(metrics["ebakul.etpp.push.breaker_opened"] >= 1, "the breaker never opened");
        Assert.True(metrics["ebakul.etpp.push.breaker_closed"] >= 1, "the breaker never closed again");
        Assert.True(metrics["ebakul.etpp.push.deferred"] >= 1, "no push was re-queued");
        Assert.Contains(seen.Values, s => s.Attempts > 1);
    }

    [Fact]
    public async Task After_a_long_outage_breaker_rejections_are_not_dispatches_and_every_adjustment_is_pushed_once_e_tpp_answers()
    {
        using var metrics = new PushMetrics();
        // 20 s down, the breaker open 1 s at a time: most pushes are refused by the open breaker without reaching e-TPP.
        // Those refusals count no dispatch, and the breaker's closing makes every waiting delivery due at once, so no
        // adjustment sits out a back-off grown during the outage (0.2 s doubling per dispatch would reach 25.6 s).
        await using var rig = await PushRig.StartAsync();
        var nips = await rig.EmployeesAsync(12);
        var outageEndsNoEarlierThan = DateTimeOffset.UtcNow.AddSeconds(20); // e-TPP's own clock is the system's
        await rig.Etpp.SetFaultsAsync(new { down_for_seconds = 20, outage_mode = "unavailable" });
        await rig.CloseAsync(12);

        var settled = await rig.SettledAsync();

        await rig.AssertOutcomeAsync(settled, nips);
        Assert.True(metrics["ebakul.etpp.push.breaker_opened"] >= 1, "the breaker never opened");
        Assert.True(metrics["ebakul.etpp.push.breaker_closed"] >= 1, "the breaker never closed again");
        var lastDelivery = settled.Max(a => a.DeliverTime.ToDateTimeOffset());
        var firstDelivery = settled.Min(a => a.DeliverTime.ToDateTimeOffset());
        // Every adjustment is delivered in the burst after e-TPP is back, not spread over grown back-offs.
        Assert.True(lastDelivery - firstDelivery < TimeSpan.FromSeconds(10),
            $"deliveries spread over {lastDelivery - firstDelivery} after the outage: some waited out a back-off");
        // And the burst comes right after e-TPP answers again: the last application follows the outage's end by seconds,
        // where a back-off grown by the refusals would have kept some adjustments waiting 25 s and more.
        var lastApplied = (await rig.Etpp.ListAsync()).Adjustments.Max(a => a.AppliedAt!.Value);
        Assert.True(lastApplied - outageEndsNoEarlierThan < TimeSpan.FromSeconds(15),
            $"the last adjustment was applied {lastApplied - outageEndsNoEarlierThan} after e-TPP answered again");
    }

    [Fact]
    public async Task With_30_percent_transient_errors_everything_is_applied_once()
    {
        using var metrics = new PushMetrics();
        // 30% of the requests fail: 15% before e-TPP handles them, and 17.65% of the rest after it applied the adjustment
        // (the hub must then take the retry's 200 as success).
        await using var rig = await PushRig.StartAsync(new
        {
            seed = 30,
            transient_error_rate = 0.15,
            transient_error_after_apply_rate = 0.1765,
            transient_error_statuses = new[] { 408, 429, 500, 502, 503, 504 },
            transient_retry_after_seconds = 1,
        });
        var nips = await rig.EmployeesAsync(30);
        await rig.CloseAsync(30);

        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, nips);
        Assert.True(metrics["ebakul.etpp.push.retries"] >= 1, "no attempt was retried");
        Assert.Contains(seen.Values, s => s.Attempts > 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Answers_slower_than_the_attempt_timeout_are_retried_and_an_answer_lost_after_applying_ends_as_a_duplicate(bool afterApplying)
    {
        // Every answer takes 1.5 s against a 0.5 s attempt timeout: no push can succeed while the latency lasts. The
        // breaker is kept out of the way (it would hold most attempts back, see the outage test): every dispatch makes
        // its four attempts.
        await using var rig = await PushRig.StartAsync(new { latency_ms = 1500, latency_after_apply = afterApplying }, tune: s =>
        {
            s["EtppPush:Timeout"] = "00:00:00.500";
            s["EtppPush:Pipeline:BreakerMinimumThroughput"] = "1000";
        });
        var nips = await rig.EmployeesAsync(6);
        await rig.CloseAsync(6);

        if (afterApplying)
        {
            // e-TPP applies every adjustment, but the hub never hears about it.
            await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys == 6, "e-TPP applied all six");
        }
        else
        {
            // The hub gives up during the delay, before e-TPP handles anything: nothing is applied, however often it tries.
            var tried = await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.Adjustments.Count == 6 && l.Adjustments.All(s => s.Attempts >= 2),
                "every adjustment tried at least twice");
            Assert.Equal(0, tried.AppliedKeys);
        }
        Assert.DoesNotContain(await rig.DeliveriesAsync(), a => a.DeliveryState == DeliveryState.Delivered);

        await rig.Etpp.ClearFaultsAsync();
        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, nips);
        Assert.All(seen.Values, s => Assert.True(s.Attempts >= 2, $"{s.Key}: {s.Attempts} attempts"));
    }

    [Fact]
    public async Task A_permanent_rejection_is_parked_with_its_reason_and_delivered_once_requeued()
    {
        await using var rig = await PushRig.StartAsync();
        var nips = await rig.EmployeesAsync(6);
        string[] unknown = [nips[1], nips[4]];
        await rig.RejectAsync(unknown);
        await rig.CloseAsync(6);

        var settled = await rig.SettledAsync();

        var parked = unknown.ToDictionary(n => n, _ => "422 NIP_UNKNOWN");
        var seen = await rig.AssertOutcomeAsync(settled, nips, parked);
        foreach (var nip in unknown)
        {
            var adjustment = settled.Single(a => a.Nip == nip);
            Assert.Contains($"NIP {nip} is not on e-TPP's payroll", adjustment.LastDeliveryError);
            // Refused for good: sent once, not retried.
            Assert.Equal((1, 0), (seen[adjustment.IdempotencyKey].Attempts, seen[adjustment.IdempotencyKey].AppliedCount));
        }
        var listedParked = await rig.Payroll.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest
        {
            RegencyCode = PushRig.Regency, Period = PushRig.Month, DeliveryState = DeliveryState.Parked,
        });
        Assert.Equal(unknown.Order(), listedParked.Adjustments.Select(a => a.Nip).Order());

        // e-TPP adds the two employees to its payroll; an admin puts their adjustments back in the queue.
        await rig.RejectAsync();
        foreach (var adjustment in listedParked.Adjustments)
        {
            var requeued = await rig.Payroll.RequeueAdjustmentAsync(new RequeueAdjustmentRequest
            {
                RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency, IdempotencyKey = adjustment.IdempotencyKey,
                Reason = "NIP added to e-TPP's payroll",
            });
            Assert.Contains(requeued.Adjustment.DeliveryState, new[] { DeliveryState.Pending, DeliveryState.Delivering, DeliveryState.Delivered });
        }
        settled = await PushRig.UntilAsync(rig.DeliveriesAsync, all => all.All(a => a.DeliveryState == DeliveryState.Delivered), "all delivered");

        seen = await rig.AssertOutcomeAsync(settled, nips);
        foreach (var adjustment in listedParked.Adjustments)
            Assert.Equal((2, 1), (seen[adjustment.IdempotencyKey].Attempts, seen[adjustment.IdempotencyKey].AppliedCount));

        // Only a parked adjustment can be re-queued.
        var status = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => rig.Payroll.RequeueAdjustmentAsync(new RequeueAdjustmentRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency, IdempotencyKey = settled[0].IdempotencyKey, Reason = "again",
        }).ResponseAsync);
        Assert.Equal("ADJUSTMENT_NOT_PARKED", status.Reason());
    }
}
