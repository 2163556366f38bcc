using System.Collections.Concurrent;
using EBakul.Merchants.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// A real hub process killed outright (SIGKILL: no shutdown, like a crash or a power cut) while 64 callers write, then
/// started again on the same database: every acknowledged write is there, and every write whose answer was lost, sent
/// again with its request_id, is applied exactly once. <c>EBAKUL_SOAK=1</c> runs five rounds of many more writes.
/// </summary>
public sealed class CrashUnderLoadTests(ITestOutputHelper output)
{
    private const int Writers = 64;

    private static bool Soak => Environment.GetEnvironmentVariable("EBAKUL_SOAK") == "1";

    [Fact]
    public async Task A_hub_killed_under_64_writers_loses_no_acknowledged_write_and_applies_none_twice()
    {
        var rounds = Soak ? 5 : 1;
        var acknowledgedPerRound = Soak ? 5_000 : 600;
        await using var hub = new FaultHub();
        await hub.StartAsync();
        var acknowledged = new ConcurrentDictionary<string, string>(); // request_id → merchant id
        var expected = new HashSet<string>(StringComparer.Ordinal);

        for (var round = 1; round <= rounds; round++)
        {
            var unanswered = new ConcurrentBag<RegisterMerchantRequest>();
            var target = acknowledged.Count + acknowledgedPerRound;
            using var stop = new CancellationTokenSource();
            var dying = 0;
            var client = hub.Merchants;
            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var request = FaultHub.NewRegistration();
                    try
                    {
                        var answer = await client.RegisterMerchantAsync(request, deadline: DateTime.UtcNow.AddMinutes(1));
                        acknowledged[request.RequestId] = answer.Merchant.MerchantId;
                    }
                    catch (RpcException) when (Volatile.Read(ref dying) == 1)
                    {
                        unanswered.Add(request); // cut off by the kill: committed or not, the caller cannot tell
                    }
                }
            })).ToList();
            while (acknowledged.Count < target)
            {
                if (writers.FirstOrDefault(w => w.IsFaulted) is { } failed) await failed; // a write failed before the kill
                await Task.Delay(10);
            }
            Volatile.Write(ref dying, 1); // from here a failed call is one the kill cut off
            hub.Process.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            output.WriteLine($"round {round}: killed with {acknowledged.Count} acknowledged, {unanswered.Count} unanswered");

            await hub.StartAsync();
            var stored = (await hub.MerchantIdsAsync()).ToHashSet(StringComparer.Ordinal);
            var lost = acknowledged.Values.Where(id => !stored.Contains(id)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged merchants missing after the restart");

            // The unanswered writes, sent again with their request_ids: a committed one answers its merchant, the others are done now.
            foreach (var request in unanswered)
                acknowledged[request.RequestId] = (await hub.Merchants.RegisterMerchantAsync(request)).Merchant.MerchantId;
            var after = await hub.MerchantIdsAsync();
            expected.UnionWith(acknowledged.Values);
            Assert.Equal(acknowledged.Count, expected.Count); // one merchant per request
            Assert.Equal(expected.Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal)); // none lost, none doubled
            Assert.NotEmpty(unanswered);
        }
    }
}
