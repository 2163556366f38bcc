using System.Text.Json;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Payroll;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// The outbox side of pushing: claims due deliveries with a lease and settles them. Every statement runs in the
/// <see cref="DatabaseWriter"/>, and a claim is one UPDATE that flips the rows it picks to DELIVERING under this
/// process's lease, so two hub processes on one database never hold the same row. Each push renews the lease first
/// and is skipped when the row is no longer held (a batch can outlast the claim's lease). Settling is conditional on
/// still holding the lease: a row that was acknowledged by pull meanwhile, or re-claimed after an expired
/// lease, is left alone. A delivery held for a dispute (<see cref="AdjustmentDisputes"/>) is not claimed.
/// </summary>
public sealed class DeliveryQueue(DatabaseWriter writer, TimeProvider clock, IOptions<PayrollOptions> payroll)
{
    private const string ClaimSql = """
        UPDATE adjustment_deliveries
        SET state = 2, lease_owner = $owner, lease_until = $until
        WHERE adjustment_id IN (
            SELECT d.adjustment_id FROM adjustment_deliveries d
            JOIN payroll_adjustments a ON a.id = d.adjustment_id
            WHERE d.regency_code IN (SELECT value FROM json_each($regencies))
              AND ((d.state = 1 AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $now))
                   OR (d.state = 2 AND d.lease_until < $now))
              -- Held for a dispute (open, or accepted until a new revision replaces it), or for the dispute window.
              AND NOT EXISTS (SELECT 1 FROM adjustment_disputes s WHERE s.adjustment_key = a.idempotency_key
                              AND (s.state = 2 OR (s.state = 1 AND ($keep_at_cutoff = 1 OR s.cutoff_at > $now))))
              AND ($hold_until_cutoff = 0 OR a.created_at + $window <= $now)
            ORDER BY a.sequence
            LIMIT $limit)
        RETURNING adjustment_id, attempts
        """;
    private const string StartPushSql = """
        UPDATE adjustment_deliveries SET lease_until = $until, attempts = attempts + 1
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner AND lease_until >= $now
        """;
    private const string DeliveredSql = """
        UPDATE adjustment_deliveries SET state = 3, etpp_reference = $reference, delivered_at = $at, delivered_via = 'push',
            last_error = NULL, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner
        """;
    private const string ParkedSql = """
        UPDATE adjustment_deliveries SET state = 4, last_error = $error, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner
        """;
    private const string RetryLaterSql = """
        UPDATE adjustment_deliveries SET state = 1, last_error = $error, next_attempt_at = $next, lease_owner = NULL, lease_until = NULL
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner
        """;

    private const string NotSentSql = """
        UPDATE adjustment_deliveries SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner
        """;

    private const string NotContactedSql = """
        UPDATE adjustment_deliveries SET state = 1, last_error = $error, next_attempt_at = $next, lease_owner = NULL, lease_until = NULL,
            attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
        WHERE adjustment_id = $id AND state = 2 AND lease_owner = $owner
        """;
    private const string HeartbeatSql = """
        UPDATE adjustment_deliveries SET lease_until = $until
        WHERE state = 2 AND lease_owner = $owner AND lease_until >= $now
        """;
    private const string DueNowSql = """
        UPDATE adjustment_deliveries SET next_attempt_at = NULL
        WHERE state = 1 AND next_attempt_at > $now AND regency_code IN (SELECT value FROM json_each($regencies))
        """;
    private const string ReleaseSql = """
        UPDATE adjustment_deliveries SET state = 1, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
        WHERE state = 2 AND lease_owner = $owner
        """;

    /// <summary>
    /// Inside a write: puts a PARKED delivery back to PENDING (due now) for the adjustment with this key; returns
    /// false when there is no such adjustment, throws when it is not parked.
    /// </summary>
    public static bool Requeue(WriteTransaction tx, string regencyCode, string key, string reason)
    {
        var delivery = (
            from a in tx.Db.PayrollAdjustments
            join d in tx.Db.AdjustmentDeliveries on a.Id equals d.AdjustmentId
            where a.RegencyCode == regencyCode && a.IdempotencyKey == key
            select d).SingleOrDefault();
        if (delivery is null) return false;
        if (delivery.State != DeliveryState.Parked)
            throw Errors.HubException.FailedPrecondition("ADJUSTMENT_NOT_PARKED", $"adjustment {key} is {delivery.State}; only a parked adjustment can be re-queued");
        delivery.State = DeliveryState.Pending;
        delivery.NextAttemptAt = null;
        delivery.LastError = $"re-queued: {reason} (was: {delivery.LastError})";
        tx.Db.SaveChanges();
        return true;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries of the given regencies; returns (adjustment id, dispatches sent
    /// so far). A claim counts nothing: <see cref="StartPushAsync"/> counts a dispatch right before its request goes out.
    /// </summary>
    public Task<List<(string AdjustmentId, int Attempts)>> ClaimAsync(string owner, IReadOnlyList<string> regencies, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var disputes = payroll.Value.Disputes;
        return writer.WriteAsync(tx =>
        {
            // A push that failed or was cut off after the close that replaced its revision put it back in the queue: it is
            // settled as SUPERSEDED here, before the claim, and never sent again.
            foreach (var regency in regencies)
                tx.Command(AdjustmentReads.SettleSupersededSql).Bind("$regency", regency).Bind("$now", now.ToUnixTimeMilliseconds()).ExecuteNonQuery();
            var claimed = new List<(string, int)>();
            using var reader = tx.Command(ClaimSql)
                .Bind("$owner", owner).Bind("$until", (now + lease).ToUnixTimeMilliseconds()).Bind("$now", now.ToUnixTimeMilliseconds())
                .Bind("$regencies", JsonSerializer.Serialize(regencies)).Bind("$limit", limit)
                .Bind("$keep_at_cutoff", disputes.AtCutoff == UnresolvedDisputeAtCutoff.Keep ? 1 : 0)
                .Bind("$hold_until_cutoff", disputes.HoldUntilCutoff ? 1 : 0).Bind("$window", (long)disputes.Window.TotalMilliseconds)
                .ExecuteReader();
            while (reader.Read()) claimed.Add((reader.GetString(0), reader.GetInt32(1)));
            return claimed;
        }, cancellationToken);
    }

    /// <summary>
    /// Right before a push: true, with the lease extended from now and the dispatch counted (<c>attempts</c> + 1, committed
    /// before the request goes out, so that a crash after it left cannot lose the count), when this dispatcher still
    /// holds the delivery; false when it must not push it (acknowledged by pull since the claim, or the claim's lease ran
    /// out while the row waited its turn in the batch, so that another dispatcher may have claimed it). A push whose
    /// request then never left takes the count back (<see cref="NotSentAsync"/>, <see cref="RetryNotContactedAsync"/>).
    /// </summary>
    public Task<bool> StartPushAsync(string adjustmentId, string owner, TimeSpan lease, CancellationToken cancellationToken)
        => writer.WriteAsync(tx =>
        {
            var now = clock.GetUtcNow();
            return tx.Command(StartPushSql)
                .Bind("$id", adjustmentId).Bind("$owner", owner)
                .Bind("$until", (now + lease).ToUnixTimeMilliseconds()).Bind("$now", now.ToUnixTimeMilliseconds())
                .ExecuteNonQuery() == 1;
        }, cancellationToken);

    /// <summary>Marks a delivery applied by e-TPP.</summary>
    public Task<bool> MarkDeliveredAsync(string adjustmentId, string owner, string reference, DateTimeOffset appliedAt) =>
        writer.WriteAsync(tx => tx.Command(DeliveredSql)
            .Bind("$id", adjustmentId).Bind("$owner", owner).Bind("$reference", reference).Bind("$at", appliedAt.ToUnixTimeMilliseconds())
            .ExecuteNonQuery() == 1);

    /// <summary>Parks a delivery e-TPP refused for good, with the reason.</summary>
    public Task<bool> ParkAsync(string adjustmentId, string owner, string error) =>
        writer.WriteAsync(tx => tx.Command(ParkedSql).Bind("$id", adjustmentId).Bind("$owner", owner).Bind("$error", error).ExecuteNonQuery() == 1);

    /// <summary>Returns a delivery to the queue, to be tried again after <paramref name="delay"/>.</summary>
    public Task<bool> RetryLaterAsync(string adjustmentId, string owner, string error, TimeSpan delay) =>
        writer.WriteAsync(tx => tx.Command(RetryLaterSql)
            .Bind("$id", adjustmentId).Bind("$owner", owner).Bind("$error", error)
            .Bind("$next", (clock.GetUtcNow() + delay).ToUnixTimeMilliseconds())
            .ExecuteNonQuery() == 1);

    /// <summary>
    /// Takes back the dispatch <see cref="StartPushAsync"/> counted when its request never left (the hub stopped, or the
    /// leases were lost, before it was sent); the delivery stays held, to be returned to the queue.
    /// </summary>
    public Task<bool> NotSentAsync(string adjustmentId, string owner) =>
        writer.WriteAsync(tx => tx.Command(NotSentSql).Bind("$id", adjustmentId).Bind("$owner", owner).ExecuteNonQuery() == 1);

    /// <summary>
    /// Returns a delivery whose request never left for e-TPP (the circuit breaker refused it, or no connection could be
    /// made) to the queue after <paramref name="delay"/>, taking back the dispatch <see cref="StartPushAsync"/> counted.
    /// </summary>
    public Task<bool> RetryNotContactedAsync(string adjustmentId, string owner, string error, TimeSpan delay) =>
        writer.WriteAsync(tx => tx.Command(NotContactedSql)
            .Bind("$id", adjustmentId).Bind("$owner", owner).Bind("$error", error)
            .Bind("$next", (clock.GetUtcNow() + delay).ToUnixTimeMilliseconds())
            .ExecuteNonQuery() == 1);

    /// <summary>Extends from now the lease of every delivery this dispatcher still holds (one whose lease ran out is not taken back).</summary>
    public Task<int> RenewHeldLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        writer.WriteAsync(tx =>
        {
            var now = clock.GetUtcNow();
            return tx.Command(HeartbeatSql).Bind("$owner", owner)
                .Bind("$until", (now + lease).ToUnixTimeMilliseconds()).Bind("$now", now.ToUnixTimeMilliseconds())
                .ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// After e-TPP answered again following an outage: every PENDING delivery of the regencies that waits for a
    /// redelivery delay is due now (its delay was a guess at how long e-TPP would stay away).
    /// </summary>
    public Task<int> MakeDueNowAsync(IReadOnlyList<string> regencies, CancellationToken cancellationToken) =>
        writer.WriteAsync(tx => tx.Command(DueNowSql)
            .Bind("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()).Bind("$regencies", JsonSerializer.Serialize(regencies))
            .ExecuteNonQuery(), cancellationToken);

    /// <summary>On a graceful stop, after every push has ended: returns the deliveries this dispatcher holds to PENDING, due now.</summary>
    public Task<int> ReleaseAsync(string owner) =>
        writer.WriteAsync(tx => tx.Command(ReleaseSql).Bind("$owner", owner).ExecuteNonQuery());
}
