using System.Diagnostics.Metrics;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// The Polly v8 pipeline around every push, outermost first: a total timeout; retries with exponential backoff
/// and jitter on transient failures only (e-TPP's Retry-After is honoured, capped); a circuit breaker that stops
/// pushing while e-TPP keeps failing; a per-attempt timeout. Permanent rejections and successes pass straight
/// through. Every retry, break, half-open and recovery is logged and counted (meter <c>EBakul.Hub.EtppPush</c>).
/// </summary>
public sealed class PushPipeline
{
    /// <summary>The meter of push metrics.</summary>
    public const string MeterName = "EBakul.Hub.EtppPush";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("ebakul.etpp.push.retries", description: "push attempts retried after a transient failure");
    private static readonly Counter<long> Breaks = Meter.CreateCounter<long>("ebakul.etpp.push.breaker_opened", description: "times the circuit breaker opened");
    private static readonly Counter<long> Recoveries = Meter.CreateCounter<long>("ebakul.etpp.push.breaker_closed", description: "times the circuit breaker closed again");

    /// <summary>Builds the pipeline from options.</summary>
    public PushPipeline(PushPipelineOptions options, TimeSpan attemptTimeout, ILogger<PushPipeline> logger, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder<EtppPushResult> { TimeProvider = clock }.AddTimeout(options.TotalTimeout);
        // Polly refuses a retry strategy of zero attempts: no retries is no retry strategy.
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<EtppPushResult>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is EtppPushResult.TransientFailure { RetryAfter: { } retryAfter }
                        ? (TimeSpan?)TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, options.MaxRetryDelay.Ticks))
                        : null),
                OnRetry = args =>
                {
                    Retries.Add(1);
                    // On the push's span; the failure's kind only (e-TPP's own words may quote a NIP).
                    SpanOf(args.Context)?.AddEvent(new System.Diagnostics.ActivityEvent("etpp.push.retry",
                        tags: new System.Diagnostics.ActivityTagsCollection
                        {
                            ["ebakul.etpp.attempt"] = args.AttemptNumber + 1,
                            ["ebakul.etpp.failure"] = args.Outcome.Exception?.GetType().Name ?? (args.Outcome.Result as EtppPushResult.TransientFailure)?.Kind.ToString(),
                            ["ebakul.etpp.retry_delay_ms"] = (long)args.RetryDelay.TotalMilliseconds,
                        }));
                    logger.LogWarning("e-TPP push attempt {Attempt} failed ({Failure}); retrying in {Delay}",
                        args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }
        Pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<EtppPushResult>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                OnOpened = args =>
                {
                    Breaks.Add(1);
                    Hosting.HubTelemetry.BreakerChanged(Hosting.HubTelemetry.BreakerState.Open, SpanOf(args.Context));
                    logger.LogError("e-TPP circuit breaker OPENED for {BreakDuration} after {Failure}", args.BreakDuration, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = args =>
                {
                    Hosting.HubTelemetry.BreakerChanged(Hosting.HubTelemetry.BreakerState.HalfOpen, SpanOf(args.Context));
                    logger.LogWarning("e-TPP circuit breaker half-open: trying one push");
                    return ValueTask.CompletedTask;
                },
                OnClosed = args =>
                {
                    Recoveries.Add(1);
                    Interlocked.Increment(ref _closings);
                    Hosting.HubTelemetry.BreakerChanged(Hosting.HubTelemetry.BreakerState.Closed, SpanOf(args.Context));
                    logger.LogInformation("e-TPP circuit breaker CLOSED: e-TPP answers again");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(attemptTimeout)
            .Build();
    }

    private long _closings;

    /// <summary>How many times the circuit breaker has closed again (e-TPP answered after an outage).</summary>
    public long BreakerClosings => Interlocked.Read(ref _closings);

    /// <summary>The pipeline.</summary>
    public ResiliencePipeline<EtppPushResult> Pipeline { get; }

    private static readonly ResiliencePropertyKey<System.Diagnostics.Activity?> SpanKey = new("ebakul.push.span");

    /// <summary>
    /// Runs one push through the pipeline; its retries and the breaker transitions it causes become events of
    /// <paramref name="span"/> (Polly may call the breaker's handlers on a thread of its own, outside the push's context).
    /// </summary>
    public async ValueTask<EtppPushResult> ExecuteAsync(Func<CancellationToken, ValueTask<EtppPushResult>> attempt,
        System.Diagnostics.Activity? span, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(SpanKey, span);
        try
        {
            return await Pipeline.ExecuteAsync(static (ctx, attempt) => attempt(ctx.CancellationToken), context, attempt);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static System.Diagnostics.Activity? SpanOf(ResilienceContext context) =>
        context.Properties.TryGetValue(SpanKey, out var span) ? span : null;

    private static bool IsTransient(Outcome<EtppPushResult> outcome) =>
        outcome.Result is EtppPushResult.TransientFailure || outcome.Exception is TimeoutRejectedException;

    private static string Describe(Outcome<EtppPushResult> outcome) =>
        outcome.Exception is { } ex ? ex.GetType().Name : outcome.Result switch
        {
            EtppPushResult.TransientFailure f => $"{f.Kind}: {f.Reason}",
            { } other => other.ToString(),
            null => "no result",
        };
}
