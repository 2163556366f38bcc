using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.EtppPush;

namespace EBakul.EtppSimulator.Tests;

/// <summary>The simulator's JSON-lines store keeps what it applied across a restart.</summary>
public sealed class SimulatorRestartTests
{
    [Fact]
    public async Task What_was_applied_survives_a_restart_and_is_still_deduplicated()
    {
        var folder = Directory.CreateTempSubdirectory("etpp-store-");
        try
        {
            await RestartAsync(Path.Combine(folder.FullName, "etpp.jsonl"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task RestartAsync(string store)
    {
        var answered = Adjustments.For(Adjustments.NewNip());
        var answerLost = Adjustments.For(Adjustments.NewNip());
        string reference;
        await using (var sim = await RunningSimulator.StartAsync(("StorePath", store)))
        {
            var client = sim.CreateClient();
            reference = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(answered)).EtppReference;
            await sim.SetFaultsAsync(new { reset_after_apply_rate = 1.0 });
            Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(answerLost));
        }

        await using var restarted = await RunningSimulator.StartAsync(("StorePath", store));
        var listing = await restarted.ListAsync();
        Assert.Equal(2, listing.AppliedKeys);
        Assert.Equal((1, 1, reference), (listing.Adjustments[0].Attempts, listing.Adjustments[0].AppliedCount, listing.Adjustments[0].EtppReference));
        Assert.Equal(answered, ToHub(listing.Adjustments[0].Adjustment!));

        var retryClient = restarted.CreateClient();
        var again = Assert.IsType<EtppPushResult.Applied>(await retryClient.PushAsync(answered));
        Assert.Equal((true, reference), (again.Duplicate, again.EtppReference));
        Assert.True(Assert.IsType<EtppPushResult.Applied>(await retryClient.PushAsync(answerLost)).Duplicate);

        // New references continue after the stored ones.
        var fresh = Assert.IsType<EtppPushResult.Applied>(await retryClient.PushAsync(Adjustments.For(Adjustments.NewNip())));
        Assert.DoesNotContain(fresh.EtppReference, listing.Adjustments.Select(a => a.EtppReference));

        Assert.All((await restarted.ListAsync()).Adjustments, s => Assert.Equal(1, s.AppliedCount));
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_is_skipped_and_does_not_swallow_the_next_one()
    {
        var folder = Directory.CreateTempSubdirectory("etpp-store-");
        try
        {
            var store = Path.Combine(folder.FullName, "etpp.jsonl");
            var first = Adjustments.For(Adjustments.NewNip());
            await using (var sim = await RunningSimulator.StartAsync(("StorePath", store)))
                Assert.IsType<EtppPushResult.Applied>(await sim.CreateClient().PushAsync(first));
            await File.AppendAllTextAsync(store, "{\"key\":\"35.22:1985");

            var second = Adjustments.For(Adjustments.NewNip());
            await using (var sim = await RunningSimulator.StartAsync(("StorePath", store)))
                Assert.False(Assert.IsType<EtppPushResult.Applied>(await sim.CreateClient().PushAsync(second)).Duplicate);

            await using var restarted = await RunningSimulator.StartAsync(("StorePath", store));
            var listing = await restarted.ListAsync();
            Assert.Equal([first.Key, second.Key], listing.Adjustments.Select(a => a.Key));
            Assert.All(listing.Adjustments, s => Assert.Equal(1, s.AppliedCount));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static EtppAdjustment ToHub(TppAdjustment a) =>
        new(a.Key, a.RegencyCode, a.Nip, a.OfficeCode, a.Period, a.Revision, a.PolicyVersion, a.RequiredRupiah, a.CountedRupiah,
            a.ShortfallRupiah, Enum.Parse<EtppSanction>(a.Sanction.Replace("_", ""), ignoreCase: true), a.TppCorrectionRupiah, a.SupersedesKey,
            a.TppCeilingRupiah ?? a.TppCorrectionRupiah);
}
