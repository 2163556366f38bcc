using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>An adjustment with its delivery, the key of the revision that replaced it, if any, and its dispute, if any.</summary>
public sealed record AdjustmentView(PayrollAdjustment Adjustment, AdjustmentDelivery Delivery, string? SupersededByKey, AdjustmentDispute? Dispute);

/// <summary>Queries over payroll adjustments.</summary>
public static class AdjustmentReads
{
    /// <summary>
    /// Marks SUPERSEDED every delivery of <c>$regency</c> that a later revision replaced before e-TPP applied it: waiting
    /// (PENDING), refused (PARKED), or left DELIVERING by a push whose lease ran out (<c>$now</c>). Read from the revisions
    /// that replace another (few: one per employee a correction changed), through the unique keys. A push in flight keeps
    /// its row until it settles; the next claim settles it (<see cref="EtppPush.DeliveryQueue"/>).
    /// </summary>
    public const string SettleSupersededSql = """
        UPDATE adjustment_deliveries SET state = 5, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
        WHERE adjustment_id IN (
            SELECT a.id FROM payroll_adjustments b
            JOIN payroll_adjustments a ON a.idempotency_key = b.supersedes_key
            WHERE b.regency_code = $regency AND b.supersedes_key IS NOT NULL)
          AND (state IN (1, 4) OR (state = 2 AND lease_until < $now))
        """;

    /// <summary>The adjustments of a month that no later revision replaced.</summary>
    public static List<PayrollAdjustment> InForce(HubDbContext db, string regencyCode, Period period) =>
        db.PayrollAdjustments.AsNoTracking()
            .Where(a => a.RegencyCode == regencyCode && a.PeriodKey == period.Key
                && !db.PayrollAdjustments.Any(b => b.SupersedesKey == a.IdempotencyKey))
            .ToList();

    /// <summary>Adjustments of a month after a sequence, optionally in one delivery state, at most <paramref name="limit"/>.</summary>
    public static Task<List<AdjustmentView>> ListAsync(HubDbContext db, string regencyCode, Period period, DeliveryState? state,
        long afterSequence, int limit, CancellationToken cancellationToken) =>
        ViewsAsync(db, db.PayrollAdjustments.Where(a => a.RegencyCode == regencyCode && a.PeriodKey == period.Key && a.Sequence > afterSequence),
            state, limit, cancellationToken);

    /// <summary>Adjustments of a regency after a sequence, any month (the pull stream).</summary>
    public static Task<List<AdjustmentView>> StreamPageAsync(HubDbContext db, string regencyCode, long afterSequence, int limit, CancellationToken cancellationToken) =>
        ViewsAsync(db, db.PayrollAdjustments.Where(a => a.RegencyCode == regencyCode && a.Sequence > afterSequence), null, limit, cancellationToken);

    /// <summary>Every revision of one employee's adjustment for a month, oldest first.</summary>
    public static Task<List<AdjustmentView>> OfEmployeeAsync(HubDbContext db, string regencyCode, string nip, Period period,
        CancellationToken cancellationToken) =>
        ViewsAsync(db, db.PayrollAdjustments.Where(a => a.RegencyCode == regencyCode && a.PeriodKey == period.Key && a.Nip == nip),
            null, int.MaxValue, cancellationToken);

    /// <summary>One adjustment by key.</summary>
    public static async Task<AdjustmentView?> FindAsync(HubDbContext db, string regencyCode, string key, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, db.PayrollAdjustments.Where(a => a.RegencyCode == regencyCode && a.IdempotencyKey == key), null, 1, cancellationToken))
        .SingleOrDefault();

    /// <summary>
    /// The first <paramref name="limit"/> adjustments in sequence order with their delivery and the key that replaced
    /// them. Ordered and limited before the projection, which SQL cannot order by.
    /// </summary>
    private static Task<List<AdjustmentView>> ViewsAsync(HubDbContext db, IQueryable<PayrollAdjustment> adjustments, DeliveryState? state,
        int limit, CancellationToken cancellationToken)
    {
        var joined =
            from a in adjustments.AsNoTracking()
            join d in db.AdjustmentDeliveries.AsNoTracking() on a.Id equals d.AdjustmentId
            select new { a, d };
        if (state is { } s) joined = joined.Where(x => x.d.State == s);
        return joined.OrderBy(x => x.a.Sequence).Take(limit)
            .Select(x => new AdjustmentView(x.a, x.d,
                db.PayrollAdjustments.Where(b => b.SupersedesKey == x.a.IdempotencyKey).Select(b => b.IdempotencyKey).FirstOrDefault(),
                db.AdjustmentDisputes.FirstOrDefault(s => s.AdjustmentKey == x.a.IdempotencyKey)))
            .ToListAsync(cancellationToken);
    }
}
