using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's own spans (activity source <c>EBakul.Hub</c>) and domain metrics (meter <c>EBakul.Hub</c>, instruments
/// named <c>ebakul.*</c>). Labels are bounded, non-personal values only: method names, UPPER_SNAKE reasons, outcomes,
/// regency codes. Never an NIK, NIP, name or token.
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

    /// <summary>Calls refused with a hub error, by method and reason (access, rate limiting, validation, state).</summary>
    public static readonly Counter<long> RequestsRefused =
        Meter.CreateCounter<long>("ebakul.requests.refused", "{request}", "calls refused with a hub error, by method and reason");

    /// <summary>Work items per writer transaction.</summary>
    public static readonly Histogram<int> WriterBatchSize =
        Meter.CreateHistogram<int>("ebakul.writer.batch.size", "{item}", "work items committed together in one writer transaction",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>Time from a writer transaction's begin to its commit.</summary>
    public static readonly Histogram<double> WriterCommitDuration =
        Meter.CreateHistogram<double>("ebakul.writer.commit.duration", "s", "time from a writer transaction's begin to its commit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Writer transactions that failed to commit.</summary>
    public static readonly Counter<long> WriterCommitFailures =
        Meter.CreateCounter<long>("ebakul.writer.commit.failures", "{transaction}", "writer transactions that failed to commit");

    /// <summary>Duration of a month close, from its start to its final commit.</summary>
    public static readonly Histogram<double> CloseDuration =
        Meter.CreateHistogram<double>("ebakul.payroll.close.duration", "s", "duration of a month close",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });

    /// <summary>Adjustments a month close produced.</summary>
    public static readonly Counter<long> AdjustmentsCreated =
        Meter.CreateCounter<long>("ebakul.payroll.adjustments.created", "{adjustment}", "payroll adjustments produced by month closes");

    /// <summary>Push attempts to e-TPP, by outcome (<c>applied</c>, <c>rejected</c>, <c>transient</c>).</summary>
    public static readonly Counter<long> PushAttempts =
        Meter.CreateCounter<long>("ebakul.etpp.push.attempts", "{attempt}", "push attempts to e-TPP, by outcome");

    private static Func<int>? s_writerQueueDepth;
    private static Func<EtppPush.OutboxBacklog.Reading>? s_outbox;
    private static int s_breakerState;

    static HubTelemetry()
    {
        Meter.CreateObservableGauge("ebakul.writer.queue.depth", () => s_writerQueueDepth?.Invoke() ?? 0, "{item}",
            "work items waiting for the database writer");
        Meter.CreateObservableGauge("ebakul.outbox.backlog", () => s_outbox?.Invoke().Undelivered ?? 0, "{adjustment}",
            "adjustments not yet delivered to e-TPP (pending or being pushed)");
        Meter.CreateObservableGauge("ebakul.outbox.oldest_age", () => s_outbox?.Invoke().OldestAge.TotalSeconds ?? 0, "s",
            "age of the oldest adjustment not yet delivered to e-TPP");
        Meter.CreateObservableGauge("ebakul.etpp.breaker.state", () => Volatile.Read(ref s_breakerState), null,
            "e-TPP circuit breaker: 0 closed, 1 half-open, 2 open");
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

    /// <summary>Records a breaker transition: the gauge, and an event on the current span.</summary>
    public static void BreakerChanged(BreakerState state)
    {
        Volatile.Write(ref s_breakerState, (int)state);
        Activity.Current?.AddEvent(new ActivityEvent("etpp.breaker." + state switch
        {
            BreakerState.Open => "opened", BreakerState.HalfOpen => "half_opened", _ => "closed",
        }));
    }
}
