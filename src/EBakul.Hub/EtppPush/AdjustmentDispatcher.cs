using System.Diagnostics;
using System.Diagnostics.Metrics;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// Pushes the adjustments of the push regencies to e-TPP from the outbox (<c>adjustment_deliveries</c>, written in
/// the same transaction as each adjustment). It wakes when a close commits new adjustments and otherwise polls;
/// claims due rows under a lease (<see cref="DeliveryQueue"/>); renews the lease of each row right before pushing it
/// (skipping a row it no longer holds); pushes each through <see cref="PushPipeline"/>,
/// employees in parallel and each employee's revisions in order; and settles each row: DELIVERED on e-TPP's
/// confirmation (a duplicate answer included), PARKED on a permanent rejection, back to PENDING with a growing
/// delay on anything else. A push the circuit breaker refused never reached e-TPP: it is re-queued for when the
/// breaker lets a trial through, without counting as a dispatch; when the breaker closes again, every delivery waiting
/// out a redelivery delay is due at once. While a batch is in flight its leases are renewed
/// every quarter lease; when they cannot be renewed for half a lease the batch's pushes are cancelled, so a row is
/// never pushed by this dispatcher after another could have claimed it. A graceful stop cancels the pushes, then
/// returns the rows still held to PENDING for the next start. A crash leaves at worst DELIVERING rows whose (short)
/// lease expires within seconds and which are pushed again; e-TPP applies each key once, so nothing is lost and
/// nothing is applied twice.
/// </summary>
public sealed class AdjustmentDispatcher(
    DeliveryQueue queue,
    EtppClient client,
    PushPipeline pipeline,
    AdjustmentAppendSignal appended,
    IServiceScopeFactory scopes,
    IOptions<EtppPushOptions> options,
    TimeProvider clock,
    CloseTraces closes,
    ILogger<AdjustmentDispatcher> logger) : BackgroundService
{
    private static readonly Meter Meter = new(PushPipeline.MeterName);
    private static readonly Counter<long> Delivered = Meter.CreateCounter<long>("ebakul.etpp.push.delivered", description: "adjustments confirmed by e-TPP");
    private static readonly Counter<long> Parked = Meter.CreateCounter<long>("ebakul.etpp.push.parked", description: "adjustments permanently rejected by e-TPP");
    private static readonly Counter<long> Deferred = Meter.CreateCounter<long>("ebakul.etpp.push.deferred", description: "pushes that failed transiently and were re-queued");

    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        logger.LogInformation("e-TPP push dispatcher {Owner} started for regencies {Regencies} to {BaseAddress}",
            _owner, string.Join(", ", settings.Regencies), settings.BaseAddress);
        var breakerClosings = pipeline.BreakerClosings;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (pipeline.BreakerClosings != breakerClosings)
                {
                    breakerClosings = pipeline.BreakerClosings;
                    var due = await queue.MakeDueNowAsync(settings.Regencies, stoppingToken);
                    if (due > 0) logger.LogInformation("e-TPP answers again: {Count} waiting deliveries are due now", due);
                }
                var claimed = await queue.ClaimAsync(_owner, settings.Regencies, settings.Dispatcher.BatchSize, settings.Dispatcher.Lease, stoppingToken);
                if (claimed.Count == 0)
                {
                    await appended.WaitAsync(settings.Dispatcher.PollInterval, stoppingToken);
                    continue;
                }
                await DispatchAsync(claimed, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "e-TPP push dispatcher failed a round; retrying after the poll interval");
                try { await Task.Delay(settings.Dispatcher.PollInterval, clock, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
        await ReleaseHeldAsync();
    }

    /// <summary>Returns the rows this dispatcher still holds to the queue, so the next start (or another hub) pushes them at once.</summary>
    private async Task ReleaseHeldAsync()
    {
        try
        {
            var released = await queue.ReleaseAsync(_owner);
            if (released > 0)
                logger.LogInformation("e-TPP push dispatcher {Owner} stopping: {Count} deliveries returned to the queue", _owner, released);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "e-TPP push dispatcher {Owner} could not return its deliveries on stop; their leases expire within {Lease}",
                _owner, options.Value.Dispatcher.Lease);
        }
    }

    /// <summary>
    /// Renews the batch's leases every quarter lease until <paramref name="done"/>; cancels <paramref name="pushes"/>
    /// when half a lease has passed without a successful renewal (another dispatcher may claim the rows at a full lease).
    /// </summary>
    private async Task KeepLeasesAsync(CancellationTokenSource pushes, CancellationToken done)
    {
        var lease = options.Value.Dispatcher.Lease;
        var lastRenewed = clock.GetUtcNow();
        while (!done.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lease / 4, clock, done);
                await queue.RenewHeldLeasesAsync(_owner, lease, done).WaitAsync(lease / 4, clock, done);
                lastRenewed = clock.GetUtcNow();
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "e-TPP push dispatcher {Owner} could not renew its leases", _owner);
            }
            if (clock.GetUtcNow() - lastRenewed > lease / 2)
            {
                logger.LogError("e-TPP push dispatcher {Owner} has not renewed its leases for {Elapsed}; cancelling the batch's pushes",
                    _owner, clock.GetUtcNow() - lastRenewed);
                await pushes.CancelAsync();
                return;
            }
        }
    }

    private async Task DispatchAsync(List<(string AdjustmentId, int Attempts)> claimed, CancellationToken stoppingToken)
    {
        using var round = HubTelemetry.Source.StartActivity("ebakul.outbox.dispatch");
        round?.SetTag("ebakul.outbox.claimed", claimed.Count);
        var attempts = claimed.ToDictionary(c => c.AdjustmentId, c => c.Attempts);
        List<PayrollAdjustment> adjustments;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var ids = attempts.Keys.ToList();
            adjustments = await scope.ServiceProvider.GetRequiredService<HubDbContext>().PayrollAdjustments.AsNoTracking()
                .Where(a => ids.Contains(a.Id)).OrderBy(a => a.Sequence).ToListAsync(stoppingToken);
        }
        var byEmployee = adjustments.GroupBy(a => (a.RegencyCode, a.Nip));
        using var pushes = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var batchDone = new CancellationTokenSource();
        var heartbeat = KeepLeasesAsync(pushes, batchDone.Token);
        try
        {
            await Parallel.ForEachAsync(byEmployee,
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.Dispatcher.Parallelism, CancellationToken = pushes.Token },
                async (revisions, token) =>
                {
                    foreach (var adjustment in revisions) await PushAsync(adjustment, attempts[adjustment.Id], token);
                });
        }
        catch (OperationCanceledException) when (pushes.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // The leases were lost; whatever was not settled is pushed again by whoever claims it next.
        }
        finally
        {
            await batchDone.CancelAsync();
            await heartbeat;
        }
    }

    private async Task PushAsync(PayrollAdjustment adjustment, int dispatchesBefore, CancellationToken stoppingToken)
    {
        if (!await queue.StartPushAsync(adjustment.Id, _owner, options.Value.Dispatcher.Lease, stoppingToken))
        {
            logger.LogInformation("{Key} is no longer this dispatcher's to push (acknowledged by pull, or its lease ran out); skipped",
                adjustment.IdempotencyKey);
            return;
        }

        // A child of the dispatcher's round, linked to the close that produced the adjustment (when this hub ran it).
        var close = closes.Find(adjustment.RegencyCode, adjustment.PeriodKey);
        using var span = HubTelemetry.Source.StartActivity("ebakul.etpp.push", ActivityKind.Internal, parentContext: default,
            links: close is { } closeContext ? [new ActivityLink(closeContext)] : null);
        span?.SetTag("ebakul.adjustment.id", adjustment.Id);
        span?.SetTag("ebakul.regency", adjustment.RegencyCode);
        span?.SetTag("ebakul.period", Period.FromKey(adjustment.PeriodKey).ToString());
        span?.SetTag("ebakul.adjustment.revision", adjustment.Revision);
        var dispatch = dispatchesBefore + 1; // counted by StartPushAsync; taken back below when no request left
        span?.SetTag("ebakul.etpp.dispatch", dispatch);
        var attemptNumber = 0;
        var sent = 0;
        var wasSent = () => Volatile.Read(ref sent) == 1;
        EtppPushResult result;
        try
        {
            result = await pipeline.ExecuteAsync(async token =>
            {
                using var attemptSpan = HubTelemetry.Source.StartActivity("ebakul.etpp.push.attempt");
                attemptSpan?.SetTag("ebakul.etpp.attempt", ++attemptNumber);
                try
                {
                    var attempt = await client.PushAsync(ToContract(adjustment), token, () => Volatile.Write(ref sent, 1));
                    attemptSpan?.SetTag("ebakul.etpp.outcome", PushOutcome(attempt));
                    if (attempt is not EtppPushResult.Applied) attemptSpan?.SetStatus(ActivityStatusCode.Error, Describe(attempt));
                    HubTelemetry.PushAttempts.Add(1, HubTelemetry.Label("outcome", PushOutcome(attempt)));
                    return attempt;
                }
                catch (OperationCanceledException)
                {
                    // The attempt's own timeout (or the total one, or a stop): it reached e-TPP or not, nobody knows.
                    attemptSpan?.SetTag("ebakul.etpp.outcome", "timeout");
                    attemptSpan?.SetStatus(ActivityStatusCode.Error, "timed out or cancelled");
                    HubTelemetry.PushAttempts.Add(1, HubTelemetry.Label("outcome", "timeout"));
                    throw;
                }
            }, span, stoppingToken);
        }
        catch (OperationCanceledException) when (!wasSent())
        {
            // Stopped, or the leases were lost, before the request left: the dispatch did not happen.
            try { await queue.NotSentAsync(adjustment.Id, _owner); }
            catch (Exception ex) { logger.LogWarning(ex, "Could not take back the dispatch count of {Key}, whose push never left", adjustment.IdempotencyKey); }
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            span?.SetTag("ebakul.etpp.outcome", "breaker_open");
            span?.AddEvent(new ActivityEvent("etpp.breaker.refused"));
            // The row is due again when the breaker lets a trial through; when no earlier attempt of this dispatch left,
            // e-TPP was not contacted and the dispatch is not counted.
            var breakDuration = options.Value.Pipeline.BreakerBreakDuration;
            var delay = ex.RetryAfter is { } after && after > TimeSpan.FromSeconds(1) ? (after < breakDuration ? after : breakDuration) : TimeSpan.FromSeconds(1);
            if (wasSent()) await queue.RetryLaterAsync(adjustment.Id, _owner, "circuit breaker open: " + ex.Message, delay);
            else await queue.RetryNotContactedAsync(adjustment.Id, _owner, "circuit breaker open: " + ex.Message, delay);
            Deferred.Add(1);
            logger.LogInformation("e-TPP push of {Key} held back by the open circuit breaker; next dispatch in {Delay}", adjustment.IdempotencyKey, delay);
            return;
        }
        catch (TimeoutRejectedException ex)
        {
            result = new EtppPushResult.TransientFailure(EtppFailureKind.Timeout, "push timed out: " + ex.Message, null, null);
        }

        span?.SetTag("ebakul.etpp.outcome", PushOutcome(result));
        span?.SetTag("ebakul.etpp.attempts", attemptNumber);
        if (result is not EtppPushResult.Applied) span?.SetStatus(ActivityStatusCode.Error, Describe(result));
        switch (result)
        {
            case EtppPushResult.Applied applied:
                await queue.MarkDeliveredAsync(adjustment.Id, _owner, applied.EtppReference, applied.AppliedAt);
                Delivered.Add(1);
                logger.LogInformation("e-TPP applied {Key} as {Reference}{Duplicate}", adjustment.IdempotencyKey, applied.EtppReference,
                    applied.Duplicate ? " (already applied before)" : "");
                break;
            case EtppPushResult.PermanentRejection rejection:
                await queue.ParkAsync(adjustment.Id, _owner, $"{rejection.HttpStatus} {rejection.Code}: {rejection.Message}");
                Parked.Add(1);
                logger.LogError("e-TPP refused {Key} for good: {Status} {Code} {Message}; parked for an admin",
                    adjustment.IdempotencyKey, rejection.HttpStatus, rejection.Code, rejection.Message);
                break;
            case EtppPushResult.TransientFailure failure:
                var delay = RedeliveryDelay(dispatch, failure.RetryAfter);
                // No connection could be made: no request left, and the dispatch is not counted.
                if (wasSent()) await queue.RetryLaterAsync(adjustment.Id, _owner, $"{failure.Kind}: {failure.Reason}", delay);
                else await queue.RetryNotContactedAsync(adjustment.Id, _owner, $"{failure.Kind}: {failure.Reason}", delay);
                Deferred.Add(1);
                logger.LogWarning("e-TPP push of {Key} failed ({Kind}: {Reason}); next dispatch in {Delay}",
                    adjustment.IdempotencyKey, failure.Kind, failure.Reason, delay);
                break;
        }
    }

    private static string PushOutcome(EtppPushResult result) => result switch
    {
        EtppPushResult.Applied => "applied",
        EtppPushResult.PermanentRejection => "rejected",
        _ => "transient",
    };

    /// <summary>A span status: the kind of failure, never e-TPP's message (it may quote a NIP).</summary>
    private static string Describe(EtppPushResult result) => result switch
    {
        EtppPushResult.PermanentRejection rejection => $"{rejection.HttpStatus} {rejection.Code}",
        EtppPushResult.TransientFailure failure => failure.Kind.ToString(),
        _ => "",
    };

    private TimeSpan RedeliveryDelay(int dispatch, TimeSpan? retryAfter)
    {
        var baseDelay = options.Value.Dispatcher.RedeliveryDelay;
        var delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, baseDelay.Ticks * (1L << Math.Min(dispatch - 1, 7))));
        return retryAfter is { } after && after > delay ? after : delay;
    }

    /// <summary>The adjustment as the e-TPP contract describes it.</summary>
    public static EtppAdjustment ToContract(PayrollAdjustment a) => new(
        a.IdempotencyKey,
        a.RegencyCode,
        a.Nip,
        a.OfficeCode,
        Period.FromKey(a.PeriodKey).ToString(),
        a.Revision,
        a.PolicyVersion,
        a.RequiredRupiah,
        a.CountedRupiah,
        a.ShortfallRupiah,
        a.Sanction switch
        {
            SanctionKind.DeductShortfall => EtppSanction.DeductShortfall,
            SanctionKind.DeductPercent => EtppSanction.DeductPercent,
            SanctionKind.Withhold => EtppSanction.Withhold,
            _ => throw new InvalidOperationException($"adjustment {a.IdempotencyKey} has no sanction"),
        },
        a.TppCorrectionRupiah,
        a.SupersedesKey,
        a.TppCeilingRupiah);
}
