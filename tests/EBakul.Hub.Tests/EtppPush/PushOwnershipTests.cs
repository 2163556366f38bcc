using EBakul.Payroll.V1;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// Who may push a row: nobody once e-TPP acknowledged it by pull, and only one hub at a time when several hubs share
/// the database.
/// </summary>
[Collection(PushTestCollection.Name)]
public sealed class PushOwnershipTests
{
    [Fact]
    public async Task An_adjustment_acknowledged_by_pull_before_the_dispatcher_reaches_it_is_never_pushed()
    {
        // One push at a time, 1 s each, all eight rows claimed in one batch: the last ones wait several seconds in the
        // dispatcher's hands while e-TPP, pulling, applies and acknowledges them.
        await using var rig = await PushRig.StartAsync(new { latency_ms = 1000 }, tune: s =>
        {
            s["EtppPush:Timeout"] = "00:00:03";
            s["EtppPush:Dispatcher:Parallelism"] = "1";
            s["EtppPush:Dispatcher:BatchSize"] = "50";
            s["EtppPush:Dispatcher:Lease"] = "00:00:30";
        });
        var nips = await rig.EmployeesAsync(8);
        await rig.CloseAsync(8);
        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.Adjustments.Count > 0, "the first push reached e-TPP");

        var last = (await rig.DeliveriesAsync()).OrderBy(a => a.Sequence).TakeLast(3).ToList();
        var pulled = last.ToDictionary(a => a.IdempotencyKey, a => $"ETPP-PULL-{a.Sequence}");
        var acknowledged = await rig.Payroll.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency,
            Acknowledgements = { pulled.Select(p => new AdjustmentAcknowledgement { IdempotencyKey = p.Key, EtppReference = p.Value }) },
        });
        Assert.All(acknowledged.Results, r => Assert.Equal(AcknowledgeOutcome.Acknowledged, r.Outcome));

        var settled = await rig.SettledAsync();

        await rig.AssertOutcomeAsync(settled, nips, pulled: pulled);
    }

    [Fact]
    public async Task Two_hubs_on_one_database_never_push_the_same_row()
    {
        // Each hub claims up to 40 rows and pushes them one at a time, 250 ms a push: a batch outlasts the 6 s lease, so
        // the rows at the end of one hub's batch become claimable by the other before the first hub gets to them.
        await using var rig = await PushRig.StartAsync(new { latency_ms = 250 }, tune: Tune);
        var nips = await rig.EmployeesAsync(40);
        var second = rig.SecondHub(Tune);
        await rig.CloseAsync(40);

        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, nips);
        // No fault and generous timeouts, so one attempt per row: a second one could only come from a second pusher.
        Assert.All(seen.Values, s => Assert.True(s.Attempts == 1, $"{s.Key} was pushed {s.Attempts} times"));
        Assert.Equal(settled.OrderBy(a => a.Sequence), (await PushRig.DeliveriesAsync(second.Channel)).OrderBy(a => a.Sequence));

        static void Tune(Dictionary<string, string?> s)
        {
            s["EtppPush:Timeout"] = "00:00:05";
            s["EtppPush:Pipeline:TotalTimeout"] = "00:00:05";
            s["EtppPush:Pipeline:MaxRetries"] = "0";
            s["EtppPush:Dispatcher:Lease"] = "00:00:06";
            s["EtppPush:Dispatcher:BatchSize"] = "40";
            s["EtppPush:Dispatcher:Parallelism"] = "1";
        }
    }
}
