using System.Diagnostics.Metrics;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// On PostgreSQL a purchase costs one round trip to the server inside the writer's transaction: its reads (the request
/// id's lookup, its facts, its month aggregates' state, its ledger sequence) go as one batch; everything it writes (the
/// receipt claim, the ledger entry, the aggregates' upserts, the idempotency record and the audit event) waits and goes
/// with the next. A transaction adds two: the writer lock, and the last writes before the commit. Counted with the writer's own counter (<c>ebakul.writer.round_trips</c>), which is process-wide: the
/// test runs alone (<see cref="WriterCountersCollection"/>).
/// </summary>
[Collection(WriterCountersCollection.Name)]
public sealed class PurchaseRoundTripTests(ITestOutputHelper output)
{
    [PostgresOnlyFact]
    public async Task A_purchase_takes_one_round_trip_and_a_transaction_two_more()
    {
        using var hub = new HubFactory();
        var ledger = new LedgerArrange(hub);
        var merchants = new[] { await ledger.MerchantAsync(), await ledger.MerchantAsync() };
        var nips = new List<string>();
        for (var i = 0; i < 8; i++) nips.Add(await ledger.EmployeeAsync(officeCode: i % 2 == 0 ? "1.02.01" : "2.01.01"));
        await ledger.RecordAsync(ledger.Draft(nips[0], merchants[0])); // the month policy and prepared statements in place

        using var counters = new WriterCounters();
        // One at a time: each purchase is a transaction of its own (the lock, the reads, the insert, the last writes).
        for (var i = 0; i < 6; i++) await ledger.RecordAsync(ledger.Draft(nips[i % nips.Count], merchants[i % 2]));
        var (alone, aloneTransactions) = (counters.RoundTrips, counters.Transactions);
        output.WriteLine($"one at a time: 6 purchases, {aloneTransactions} transactions, {alone} round trips");
        Assert.Equal(6, aloneTransactions);
        Assert.True(alone <= 6 + aloneTransactions * 2, $"6 purchases one at a time took {alone} round trips");

        // Many at once: they share transactions, each purchase still one round trip.
        counters.Reset();
        var drafts = Enumerable.Range(0, 60).Select(i => ledger.Draft(nips[i % nips.Count], merchants[i % 2], amount: 10_000 + i)).ToList();
        var recorded = await Task.WhenAll(drafts.Select(d => ledger.RecordAsync(d)));
        Assert.Equal(60, recorded.Select(p => p.LedgerSequence).Distinct().Count());
        var (together, transactions) = (counters.RoundTrips, counters.Transactions);
        output.WriteLine($"at once: 60 purchases, {transactions} transactions, {together} round trips");
        Assert.True(together <= 60 + transactions * 2, $"60 purchases in {transactions} transactions took {together} round trips");
    }

    /// <summary>Sums the writer's round trips and counts its committed transactions while it lives.</summary>
    private sealed class WriterCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _roundTrips;
        private long _transactions;

        public WriterCounters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == HubTelemetry.Name
                    && instrument.Name is "ebakul.writer.round_trips" or "ebakul.writer.batch.size") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _roundTrips, value));
            _listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref _transactions));
            _listener.Start();
        }

        public long RoundTrips => Interlocked.Read(ref _roundTrips);

        public long Transactions => Interlocked.Read(ref _transactions);

        public void Reset()
        {
            Interlocked.Exchange(ref _roundTrips, 0);
            Interlocked.Exchange(ref _transactions, 0);
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>Tests that read the writer's process-wide counters: they run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WriterCountersCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "writer counters";
}
