using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>The real hub process killed in the middle of pushing, and started again on the same database.</summary>
[Collection(PushTestCollection.Name)]
public sealed class PushCrashTests
{
    [Fact]
    public async Task A_hub_killed_mid_push_pushes_the_rows_again_after_the_lease_and_e_TPP_applies_each_once()
    {
        // e-TPP applies each adjustment at once but holds its answer back 3 s: a kill right after the first
        // application lands while the hub waits for answers to adjustments e-TPP already applied.
        await using var rig = await PushRig.StartAsync(new { latency_ms = 3000, latency_after_apply = true }, push: false);
        var nips = await rig.EmployeesAsync(8);
        await rig.CloseAsync(8);
        // The month is closed by the in-process hub, which does not push and stays up as the admin view of the database.
        var settings = PushRig.KillableProcessSettings(rig.Etpp.BaseAddress);
        await using var hub = new RestartableHubProcess(rig.Hub.DatabasePath, settings);

        await hub.StartAsync();
        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys > 0, "e-TPP applied a first adjustment", hub.Output);
        hub.Kill();

        var afterKill = await rig.DeliveriesAsync();
        await AssertOnlySentDispatchesCountedAsync(rig, afterKill);
        var applied = (await rig.Etpp.ListAsync()).Adjustments.Where(s => s.AppliedCount > 0).Select(s => s.Key).ToHashSet();
        // The dead hub still holds its claimed rows, among them ones e-TPP applied without the hub hearing of it.
        var inFlight = afterKill.Where(a => a.DeliveryState == DeliveryState.Delivering).ToList();
        Assert.Contains(inFlight, a => applied.Contains(a.IdempotencyKey));
        var appliedUnheard = inFlight.Where(a => applied.Contains(a.IdempotencyKey)).Select(a => a.IdempotencyKey).ToList();

        await rig.Etpp.ClearFaultsAsync();
        await hub.StartAsync();
        var settled = await PushRig.SettledAsync(rig.Hub.Channel, hub.Output);

        var seen = await rig.AssertOutcomeAsync(settled, nips);
        await AssertOnlySentDispatchesCountedAsync(rig, settled);
        // Pushed again after the restart (once its lease had run out), answered as a duplicate: still applied once.
        Assert.All(appliedUnheard, key => Assert.True(seen[key].Attempts >= 2, $"{key}: {seen[key].Attempts} attempts"));
        Assert.All(settled.Where(a => appliedUnheard.Contains(a.IdempotencyKey)), a => Assert.True(a.DeliveryAttempts >= 2));
    }

    [Fact]
    public async Task A_hub_stopped_by_SIGTERM_mid_push_returns_its_rows_to_the_queue_and_the_next_start_pushes_them_at_once()
    {
        await using var rig = await PushRig.StartAsync(new { latency_ms = 3000, latency_after_apply = true }, push: false);
        var nips = await rig.EmployeesAsync(8);
        await rig.CloseAsync(8);
        var settings = PushRig.PushSettings(rig.Etpp.BaseAddress);
        settings["EtppPush:Timeout"] = "00:00:05";
        settings["EtppPush:Pipeline:TotalTimeout"] = "00:00:05.500";
        // A lease far longer than the test: only the release on stop can make the rows due again in time.
        settings["EtppPush:Dispatcher:Lease"] = "00:10:00";
        settings["EtppPush:Dispatcher:BatchSize"] = "4";
        settings["EtppPush:Dispatcher:Parallelism"] = "2";
        await using var hub = new RestartableHubProcess(rig.Hub.DatabasePath, settings);

        await hub.StartAsync();
        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys > 0, "e-TPP applied a first adjustment", hub.Output);
        Assert.Equal(0, hub.Terminate());

        var afterStop = await rig.DeliveriesAsync();
        Assert.DoesNotContain(afterStop, a => a.DeliveryState == DeliveryState.Delivering);
        await AssertOnlySentDispatchesCountedAsync(rig, afterStop);
        Assert.Contains("returned to the queue", hub.Output);

        await rig.Etpp.ClearFaultsAsync();
        await hub.StartAsync();
        var settled = await PushRig.SettledAsync(rig.Hub.Channel, hub.Output);
        await rig.AssertOutcomeAsync(settled, nips);
        await AssertOnlySentDispatchesCountedAsync(rig, settled);
    }

    /// <summary>
    /// Every dispatch the hub counts (an adjustment's <c>delivery_attempts</c>) sent at least one request that e-TPP
    /// received: rows claimed but not pushed when the hub stopped or died count none.
    /// </summary>
    private static async Task AssertOnlySentDispatchesCountedAsync(PushRig rig, IReadOnlyList<Adjustment> adjustments)
    {
        var received = (await rig.Etpp.ListAsync()).Adjustments.ToDictionary(s => s.Key, s => s.Attempts);
        Assert.All(adjustments, a => Assert.True(a.DeliveryAttempts <= received.GetValueOrDefault(a.IdempotencyKey),
            $"{a.IdempotencyKey}: the hub counts {a.DeliveryAttempts} dispatches, e-TPP received {received.GetValueOrDefault(a.IdempotencyKey)} requests"));
    }
}
