using System.Collections.Concurrent;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.EtppPush;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using EBakul.Ledger.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>
/// Two real hub processes (replicas) on one PostgreSQL database, called side by side as a load balancer would: what the
/// database guarantees across replicas (docs/postgres.md) holds. An in-process hub on the same database arranges the
/// data and issues the callers' token.
/// </summary>
public sealed class ReplicaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly HubFactory _admin = new();
    private readonly List<RestartableHubProcess> _replicas = [];
    private readonly List<GrpcChannel> _channels = [];
    private LedgerArrange _arrange = null!;
    private string _token = "";

    public Task InitializeAsync()
    {
        _arrange = new LedgerArrange(_admin);
        _token = _admin.IssueToken(new Caller
        {
            Id = "replica-tests", DisplayName = "Replica tests", Kind = CallerKind.Admin,
            Scopes = string.Join(' ', Scopes.All.Where(s => s != Scopes.MerchantsPersonalData)),
            Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 1_000_000,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels) channel.Dispose();
        foreach (var replica in _replicas) await replica.DisposeAsync();
        _admin.Dispose();
    }

    private async Task<RestartableHubProcess> StartReplicaAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Access:CreateDevelopmentCredential"] = "false";
        var replica = new RestartableHubProcess(_admin.DatabasePath, settings);
        _replicas.Add(replica);
        await replica.StartAsync();
        return replica;
    }

    private LedgerService.LedgerServiceClient Ledger(RestartableHubProcess replica)
    {
        var bearer = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + _token);
            return Task.CompletedTask;
        });
        var channel = GrpcChannel.ForAddress(replica.Address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, bearer),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        _channels.Add(channel);
        return new LedgerService.LedgerServiceClient(channel);
    }

    private static RecordPurchaseRequest Request(PurchaseDraft draft, string? requestId = null) => new()
    {
        RequestId = requestId ?? Guid.NewGuid().ToString(), RegencyCode = "35.22", Purchase = draft,
    };

    /// <summary>Every entry of Bojonegoro's ledger, read from the in-process hub.</summary>
    private async Task<List<Purchase>> LedgerAsync()
    {
        var entries = new List<Purchase>();
        using var call = _arrange.Client.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22" });
        await foreach (var item in call.ResponseStream.ReadAllAsync()) entries.Add(item.Entry);
        return entries;
    }

    [PostgresOnlyFact]
    public async Task The_same_request_id_or_the_same_receipt_sent_through_both_replicas_at_once_makes_one_purchase()
    {
        var nip = await _arrange.EmployeeAsync();
        var merchant = await _arrange.MerchantAsync();
        var a = Ledger(await StartReplicaAsync());
        var b = Ledger(await StartReplicaAsync());

        const int Rounds = 25;
        for (var round = 0; round < Rounds; round++)
        {
            // The same request twice (a retry racing its original): one purchase, both callers get it.
            var retried = Request(_arrange.Draft(nip, merchant));
            var answers = await Task.WhenAll(a.RecordPurchaseAsync(retried).ResponseAsync, b.RecordPurchaseAsync(retried).ResponseAsync);
            Assert.Equal(answers[0].Purchase, answers[1].Purchase);

            // The same receipt under two request_ids: one purchase; the other caller hears the receipt is recorded.
            var draft = _arrange.Draft(nip, merchant);
            var outcomes = await Task.WhenAll(new[] { a, b }.Select(async client =>
            {
                try
                {
                    return (await client.RecordPurchaseAsync(Request(draft))).Purchase.PurchaseId;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
                {
                    Assert.Equal("RECEIPT_ALREADY_RECORDED", ex.GetRpcStatus()!.Reason());
                    return null;
                }
            }));
            Assert.Single(outcomes, o => o is not null);
        }

        var entries = await LedgerAsync();
        Assert.Equal(2 * Rounds, entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.ReceiptReference).Distinct().Count());
    }

    [PostgresOnlyFact]
    public async Task A_replica_killed_under_concurrent_writes_loses_no_acknowledged_purchase_and_the_other_keeps_serving()
    {
        var nip = await _arrange.EmployeeAsync();
        var merchant = await _arrange.MerchantAsync();
        var doomed = await StartReplicaAsync();
        var survivor = await StartReplicaAsync();
        var clients = new[] { Ledger(doomed), Ledger(survivor) };

        var acknowledged = new ConcurrentDictionary<string, string>(); // request_id → purchase id
        var unanswered = new ConcurrentBag<RecordPurchaseRequest>();
        var killed = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var client = clients[i % 2];
            while (!stop.IsCancellationRequested)
            {
                var request = Request(_arrange.Draft(nip, merchant, amount: 1_000));
                try
                {
                    acknowledged[request.RequestId] = (await client.RecordPurchaseAsync(request, deadline: DateTime.UtcNow.AddMinutes(1))).Purchase.PurchaseId;
                }
                catch (RpcException) when (Volatile.Read(ref killed) == 1 && client == clients[0])
                {
                    unanswered.Add(request); // cut off by the kill: committed or not, the caller cannot tell
                    return;
                }
            }
        })).ToList();
        while (acknowledged.Count < 300)
        {
            if (writers.FirstOrDefault(w => w.IsFaulted) is { } failed) await failed;
            await Task.Delay(10);
        }
        Volatile.Write(ref killed, 1);
        doomed.Kill();
        var atKill = acknowledged.Count;
        // The survivor keeps recording while the dead replica's callers fall away.
        while (acknowledged.Count < atKill + 200)
        {
            if (writers.FirstOrDefault(w => w.IsFaulted) is { } failed) await failed;
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"killed at {atKill} acknowledged; {acknowledged.Count} in all, {unanswered.Count} unanswered");

        // Each unanswered request, sent again with its request_id through the survivor: a committed one answers its purchase.
        foreach (var request in unanswered)
            acknowledged[request.RequestId] = (await clients[1].RecordPurchaseAsync(request)).Purchase.PurchaseId;

        var entries = await LedgerAsync();
        Assert.Equal(acknowledged.Values.Order(), entries.Select(e => e.PurchaseId).Order()); // every one there, none twice
        Assert.Equal(entries.Count, entries.Select(e => e.ReceiptReference).Distinct().Count());
    }

    [PostgresOnlyFact]
    public async Task A_feed_consumer_on_one_replica_sees_every_purchase_of_both_exactly_once_in_feed_order()
    {
        var nip = await _arrange.EmployeeAsync();
        var merchant = await _arrange.MerchantAsync();
        var a = Ledger(await StartReplicaAsync());
        var b = Ledger(await StartReplicaAsync());
        const int PerWriter = 60;
        const int Writers = 8;

        using var follow = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var received = new List<(long Cursor, string Id)>();
        var consumer = Task.Run(async () =>
        {
            // A consumer that reconnects now and then, resuming from its last cursor.
            var cursor = "";
            while (received.Count < PerWriter * Writers)
            {
                using var call = b.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22", Follow = true, Cursor = cursor },
                    cancellationToken: follow.Token);
                var taken = 0;
                await foreach (var item in call.ResponseStream.ReadAllAsync(follow.Token))
                {
                    received.Add((long.Parse(item.Cursor, System.Globalization.CultureInfo.InvariantCulture), item.Entry.PurchaseId));
                    cursor = item.Cursor;
                    if (++taken == 97 || received.Count == PerWriter * Writers) break;
                }
            }
        });

        var recorded = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            var client = i % 2 == 0 ? a : b;
            for (var n = 0; n < PerWriter; n++)
                recorded.Add((await client.RecordPurchaseAsync(Request(_arrange.Draft(nip, merchant, amount: 1_000)))).Purchase.PurchaseId);
        })));
        await consumer;

        Assert.Equal(recorded.Order(), received.Select(r => r.Id).Order()); // every purchase, exactly once
        Assert.True(received.Zip(received.Skip(1)).All(p => p.First.Cursor < p.Second.Cursor), "the feed went backwards");
    }

    [PostgresOnlyFact]
    public async Task A_feed_consumer_on_one_replica_hears_of_another_replicas_purchase_by_notification_not_by_its_poll()
    {
        var nip = await _arrange.EmployeeAsync();
        var merchant = await _arrange.MerchantAsync();
        // Readers would look for other replicas' rows only every ten minutes: only LISTEN/NOTIFY can bring them sooner.
        var slowPoll = new Dictionary<string, string?> { ["Database:StreamPollInterval"] = "00:10:00" };
        var a = Ledger(await StartReplicaAsync(new(slowPoll)));
        var b = Ledger(await StartReplicaAsync(new(slowPoll)));

        using var follow = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var call = b.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22", Follow = true }, cancellationToken: follow.Token);
        var stream = call.ResponseStream;
        var throughB = (await b.RecordPurchaseAsync(Request(_arrange.Draft(nip, merchant, amount: 1_000)))).Purchase.PurchaseId;
        Assert.True(await stream.MoveNext(follow.Token));
        Assert.Equal(throughB, stream.Current.Entry.PurchaseId); // B's own commit woke it
        await Task.Delay(TimeSpan.FromSeconds(2)); // the stream is now waiting for news

        var throughA = (await a.RecordPurchaseAsync(Request(_arrange.Draft(nip, merchant, amount: 2_000)))).Purchase.PurchaseId;
        Assert.True(await stream.MoveNext(follow.Token)); // well before the ten-minute poll, or cancelled after two
        Assert.Equal(throughA, stream.Current.Entry.PurchaseId);
    }

    [PostgresOnlyFact]
    public async Task Two_replicas_dispatching_with_one_killed_mid_push_apply_every_adjustment_exactly_once()
    {
        // e-TPP applies each adjustment at once but holds its answer back 2 s: the kill lands while pushes are in flight.
        await using var rig = await PushRig.StartAsync(new { latency_ms = 2000, latency_after_apply = true }, push: false);
        var nips = await rig.EmployeesAsync(24);
        await rig.CloseAsync(24);
        var settings = PushRig.KillableProcessSettings(rig.Etpp.BaseAddress);
        settings["Access:CreateDevelopmentCredential"] = "false";
        await using var doomed = new RestartableHubProcess(rig.Hub.DatabasePath, settings);
        await using var survivor = new RestartableHubProcess(rig.Hub.DatabasePath, settings);
        await Task.WhenAll(doomed.StartAsync(), survivor.StartAsync());

        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys > 2, "e-TPP applied the first adjustments", doomed.Output);
        doomed.Kill();
        await rig.Etpp.ClearFaultsAsync();

        // The survivor takes over the dead replica's rows once their leases run out, and pushes the rest.
        var settled = await PushRig.SettledAsync(rig.Hub.Channel, survivor.Output);
        await rig.AssertOutcomeAsync(settled, nips);
    }
}
