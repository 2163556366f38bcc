using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's own spans (activity source <c>EBakul.Hub</c>) and domain metrics (meter <c>EBakul.Hub</c>, instruments
/// named <c>ebakul.*</c>). Labels are bounded, non-personal values only: service and method names, UPPER_SNAKE reasons,
/// outcomes, regency codes. Never an NIK, NIP, name, idempotency key (it holds a NIP) or token.
/// </summary>
public static class HubTelemetry
{
    /// <summary>The activity source and meter name.</summary>
    public const string Name = "EBakul.Hub";

    /// <summary>The hub's spans.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Purchases written to the ledger.</summary>
    public static readonly Counter<long> PurchasesRecorded =
        Meter.CreateCounter<long>("ebakul.purchases.recorded", "{purchase}", "purchases written to the ledger");

    /// <summary>Purchases refused, by reason (label <c>reason</c>).</summary>
    public static readonly Counter<long> PurchasesRefused =
        Meter.CreateCounter<long>("ebakul.purchases.refused", "{purchase}", "purchases refused, by reason");

    /// <summary>
    /// Calls refused with a hub error, by <c>rpc.service</c>, <c>rpc.method</c>, <c>rpc.grpc.status_code</c> and
    /// <c>reason</c> (access: CREDENTIALS_MISSING, SCOPE_MISSING, REGENCY_NOT_ALLOWED...; RATE_LIMITED; validation; state).
    /// </summary>
    public static readonly Counter<long> RequestsRefused =
        Meter.CreateCounter<long>("ebakul.requests.refused", "{request}", "calls refused with a hub error, by method, status code and reason");

    /// <summary>Work items per writer transaction.</summary>
    public static readonly Histogram<int> WriterBatchSize =
        Meter.CreateHistogram<int>("ebakul.writer.batch.size", "{item}", "work items committed together in one writer transaction",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>Time from a writer transaction's begin to its commit.</summary>
    public static readonly Histogram<double> WriterCommitDuration =
        Meter.CreateHistogram<double>("ebakul.writer.commit.duration", "s", "time from a writer transaction's begin to its commit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>
    /// The writer's exchanges with the database server inside its transactions (PostgreSQL): each statement or batch sent
    /// and answered, the writer lock's included, the begin and the commit not (SQLite runs in the process: none).
    /// </summary>
    public static readonly Counter<long> WriterRoundTrips =
        Meter.CreateCounter<long>("ebakul.writer.round_trips", "{round_trip}",
            "the writer's statements and batches sent to the database server inside its transactions (PostgreSQL)");

    /// <summary>Writer transactions that failed to begin or commit.</summary>
    public static readonly Counter<long> WriterCommitFailures =
        Meter.CreateCounter<long>("ebakul.writer.commit.failures", "{transaction}", "writer transactions that failed to begin or commit");

    /// <summary>Duration of a month close, from its start to its final commit.</summary>
    public static readonly Histogram<double> CloseDuration =
        Meter.CreateHistogram<double>("ebakul.payroll.close.duration", "s", "duration of a month close, by regency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });

    /// <summary>Adjustments a month close produced.</summary>
    public static readonly Counter<long> AdjustmentsCreated =
        Meter.CreateCounter<long>("ebakul.payroll.adjustments.created", "{adjustment}", "payroll adjustments produced by month closes, by regency");

    /// <summary>Push attempts to e-TPP (each retry is one), by outcome (<c>applied</c>, <c>rejected</c>, <c>transient</c>).</summary>
    public static readonly Counter<long> PushAttempts =
        Meter.CreateCounter<long>("ebakul.etpp.push.attempts", "{attempt}", "push attempts to e-TPP, by outcome");

    private static Func<int>? s_writerQueueDepth;
    private static Func<EtppPush.OutboxBacklog.Reading>? s_outbox;
    private static int s_breakerState;

    static HubTelemetry()
    {
        Meter.CreateObservableGauge("ebakul.writer.queue.depth", () => Observe(s_writerQueueDepth, d => d), "{item}",
            "work items waiting for the database writer");
        Meter.CreateObservableGauge("ebakul.outbox.backlog", () => Observe(s_outbox, r => r.Undelivered), "{adjustment}",
            "adjustments not yet delivered to e-TPP (pending or being pushed)");
        Meter.CreateObservableGauge("ebakul.outbox.parked", () => Observe(s_outbox, r => r.Parked), "{adjustment}",
            "adjustments e-TPP refused for good, waiting for an admin");
        Meter.CreateObservableGauge("ebakul.outbox.oldest_age", () => Observe(s_outbox, r => r.OldestAge.TotalSeconds), "s",
            "age of the oldest adjustment not yet delivered to e-TPP (0 when none waits)");
        Meter.CreateObservableGauge("ebakul.etpp.breaker.state", () => Volatile.Read(ref s_breakerState), null,
            "e-TPP circuit breaker: 0 closed, 1 half-open, 2 open");
    }

    /// <summary>A gauge's value, or none when its source is not there (yet, or any more).</summary>
    private static IEnumerable<Measurement<TValue>> Observe<TSource, TValue>(Func<TSource>? source, Func<TSource, TValue> value)
        where TValue : struct
    {
        if (source is null) return [];
        try { return [new Measurement<TValue>(value(source()))]; }
        catch (Exception) { return []; } // a stopped hub's services, a database that cannot be read: no value beats a wrong one
    }

    /// <summary>The circuit breaker's states as the gauge reports them.</summary>
    public enum BreakerState
    {
        /// <summary>Pushing.</summary>
        Closed = 0,
        /// <summary>Trying one push.</summary>
        HalfOpen = 1,
        /// <summary>Not pushing.</summary>
        Open = 2,
    }

    /// <summary>Where the writer queue depth gauge reads from (the one writer of the process).</summary>
    public static void ObserveWriterQueue(Func<int> depth) => s_writerQueueDepth = depth;

    /// <summary>Where the outbox gauges read from.</summary>
    public static void ObserveOutbox(Func<EtppPush.OutboxBacklog.Reading> read) => s_outbox = read;

    /// <summary>Records a breaker transition: the gauge, and an event on the span of the push that caused it.</summary>
    public static void BreakerChanged(BreakerState state, Activity? push)
    {
        Volatile.Write(ref s_breakerState, (int)state);
        push?.AddEvent(new ActivityEvent("etpp.breaker." + state switch
        {
            BreakerState.Open => "opened", BreakerState.HalfOpen => "half_opened", _ => "closed",
        }));
    }

    /// <summary>A label.</summary>
    public static KeyValuePair<string, object?> Label(string key, object? value) => new(key, value);
}

/// <summary>
/// The trace of the latest close of each regency and month, so that the push of an adjustment can be linked to the close
/// that produced it (held in memory: pushes after a restart, or by another hub, carry no link).
/// </summary>
public sealed class CloseTraces
{
    private readonly ConcurrentDictionary<(string Regency, int PeriodKey), ActivityContext> _latest = new();

    /// <summary>Remembers the span of a close that created adjustments.</summary>
    public void Remember(string regencyCode, int periodKey, Activity? close)
    {
        if (close is not null) _latest[(regencyCode, periodKey)] = close.Context;
    }

    /// <summary>The span of the latest close of the month, if this hub ran it.</summary>
    public ActivityContext? Find(string regencyCode, int periodKey) =>
        _latest.TryGetValue((regencyCode, periodKey), out var context) ? context : null;
}
