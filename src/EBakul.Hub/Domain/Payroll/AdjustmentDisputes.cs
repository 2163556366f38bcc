using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Errors;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>How a resolver decides a dispute.</summary>
public enum DisputeDecision
{
    /// <summary>Upheld: the month is reopened for correction and the disputed revision is held until a new one replaces it.</summary>
    Accept = 1,
    /// <summary>Turned down: the disputed revision goes to e-TPP as computed.</summary>
    Reject = 2,
}

/// <summary>
/// Disputes of adjustments before e-TPP applies them. A dispute is filed on one revision while it is not delivered and
/// before its cut-off (its creation plus <see cref="DisputeOptions.Window"/>); while it is open the revision is held: the
/// dispatcher does not push it, the pull side marks it held and refuses its acknowledgement. A resolver accepts (the
/// month is reopened for correction; the next close makes a new revision, which alone goes to e-TPP) or rejects (the
/// revision goes as computed). Unresolved at the cut-off, <see cref="DisputeOptions.AtCutoff"/> decides.
/// </summary>
public sealed class AdjustmentDisputes(HubDbContext db, PeriodClosing closing, DisputeRules rules, TimeProvider clock)
{
    /// <summary>Longest text accepted (the filer's and the resolver's).</summary>
    public const int MaxTextLength = 2000;

    /// <summary>Most evidence references on one dispute.</summary>
    public const int MaxEvidenceReferences = 20;

    /// <summary>
    /// Inside a write: files a dispute on the adjustment revision <paramref name="adjustmentKey"/>. NOT_FOUND
    /// <c>ADJUSTMENT_NOT_FOUND</c> for an unknown key (or another office's, for an office-bound caller: PERMISSION_DENIED);
    /// ALREADY_EXISTS <c>DISPUTE_EXISTS</c> when the revision was disputed before; FAILED_PRECONDITION
    /// <c>ADJUSTMENT_SUPERSEDED</c>, <c>ADJUSTMENT_DELIVERED</c>, <c>ADJUSTMENT_BEING_DELIVERED</c> or
    /// <c>DISPUTE_CUTOFF_PASSED</c> when it can no longer be held.
    /// </summary>
    public AdjustmentDispute File(WriteTransaction tx, string regencyCode, string adjustmentKey, DisputeReason reason, string text,
        IReadOnlyList<string> evidenceReferences, CallerIdentity caller)
    {
        var found = (
            from a in tx.Db.PayrollAdjustments
            join d in tx.Db.AdjustmentDeliveries on a.Id equals d.AdjustmentId
            where a.RegencyCode == regencyCode && a.IdempotencyKey == adjustmentKey
            select new { a, d }).SingleOrDefault();
        if (caller.IsOfficeBound) caller.RequireOwnOffice(found?.a.OfficeCode, $"adjustment {adjustmentKey}");
        if (found is null)
            throw HubException.NotFound("ADJUSTMENT_NOT_FOUND", $"adjustment '{adjustmentKey}' does not exist in regency {regencyCode}");
        var (adjustment, delivery) = (found.a, found.d);

        if (tx.Db.AdjustmentDisputes.SingleOrDefault(x => x.AdjustmentKey == adjustmentKey) is { } earlier)
            throw HubException.AlreadyExists("DISPUTE_EXISTS", $"adjustment '{adjustmentKey}' was already disputed (dispute {earlier.Id})");
        if (tx.Db.PayrollAdjustments.Any(b => b.SupersedesKey == adjustmentKey))
            throw HubException.FailedPrecondition("ADJUSTMENT_SUPERSEDED",
                $"adjustment '{adjustmentKey}' was replaced by a later revision; dispute the revision in force");
        if (delivery.State == DeliveryState.Delivered)
            throw HubException.FailedPrecondition("ADJUSTMENT_DELIVERED",
                $"adjustment '{adjustmentKey}' was already applied by e-TPP ({delivery.EtppReference}); it can be changed only by a correction of the month");
        var now = clock.GetUtcNow();
        if (delivery.State == DeliveryState.Delivering && delivery.LeaseUntil > now)
            throw HubException.FailedPrecondition("ADJUSTMENT_BEING_DELIVERED",
                $"adjustment '{adjustmentKey}' is being pushed to e-TPP right now; ask again in a minute to learn whether it was applied");
        var cutoff = rules.CutoffOf(adjustment);
        if (now >= cutoff)
            throw HubException.FailedPrecondition("DISPUTE_CUTOFF_PASSED",
                $"adjustment '{adjustmentKey}' could be disputed until {cutoff:yyyy-MM-dd HH:mm} UTC");

        var dispute = new AdjustmentDispute
        {
            Id = Guid.CreateVersion7().ToString("N"),
            RegencyCode = regencyCode,
            AdjustmentKey = adjustmentKey,
            Nip = adjustment.Nip,
            OfficeCode = adjustment.OfficeCode,
            PeriodKey = adjustment.PeriodKey,
            Reason = reason,
            Text = text,
            EvidenceReferences = string.Join('\n', evidenceReferences),
            State = DisputeState.Open,
            FiledBy = caller.Id,
            FiledAt = now,
            CutoffAt = cutoff,
        };
        tx.Db.AdjustmentDisputes.Add(dispute);
        tx.Db.SaveChanges();
        return dispute;
    }

    /// <summary>
    /// Inside a write: decides an open dispute. NOT_FOUND <c>DISPUTE_NOT_FOUND</c>; FAILED_PRECONDITION
    /// <c>DISPUTE_ALREADY_RESOLVED</c> for one decided before and <c>DISPUTE_LAPSED</c> for one whose cut-off passed with
    /// the hold released. Accepting reopens a closed month for correction.
    /// </summary>
    public AdjustmentDispute Resolve(WriteTransaction tx, string regencyCode, string disputeId, DisputeDecision decision, string text,
        CallerIdentity caller)
    {
        var dispute = tx.Db.AdjustmentDisputes.SingleOrDefault(x => x.RegencyCode == regencyCode && x.Id == disputeId)
            ?? throw HubException.NotFound("DISPUTE_NOT_FOUND", $"dispute '{disputeId}' does not exist in regency {regencyCode}");
        var now = clock.GetUtcNow();
        var state = rules.StateOf(dispute, now);
        if (state == DisputeState.Lapsed)
            throw HubException.FailedPrecondition("DISPUTE_LAPSED",
                $"dispute '{disputeId}' was not decided by its cut-off ({dispute.CutoffAt:yyyy-MM-dd HH:mm} UTC) and its adjustment went to e-TPP; " +
                "a change now needs a correction of the month");
        if (state != DisputeState.Open)
            throw HubException.FailedPrecondition("DISPUTE_ALREADY_RESOLVED", $"dispute '{disputeId}' was already {Describe(state)}");

        dispute.State = decision == DisputeDecision.Accept ? DisputeState.Accepted : DisputeState.Rejected;
        dispute.ResolvedBy = caller.Id;
        dispute.ResolvedAt = now;
        dispute.ResolutionText = text;
        tx.Db.SaveChanges();

        if (decision == DisputeDecision.Accept)
        {
            var period = Period.FromKey(dispute.PeriodKey);
            var month = tx.Db.PeriodStates.Single(p => p.RegencyCode == regencyCode && p.PeriodKey == dispute.PeriodKey);
            if (month.Status == PeriodStatus.Closed)
                closing.OpenCorrection(tx, regencyCode, period, $"dispute {dispute.Id} accepted: {text}", caller);
        }
        return dispute;
    }

    /// <summary>One dispute; NOT_FOUND <c>DISPUTE_NOT_FOUND</c> (also for another office's, to an office-bound caller).</summary>
    public async Task<AdjustmentDispute> GetAsync(string regencyCode, string disputeId, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var dispute = await db.AdjustmentDisputes.AsNoTracking()
            .SingleOrDefaultAsync(x => x.RegencyCode == regencyCode && x.Id == disputeId, cancellationToken);
        if (dispute is null || (caller.IsOfficeBound && dispute.OfficeCode != caller.OfficeCode))
            throw HubException.NotFound("DISPUTE_NOT_FOUND", $"dispute '{disputeId}' does not exist in regency {regencyCode}");
        return dispute;
    }

    /// <summary>Disputes of a month in filing order after <paramref name="afterId"/>, only <paramref name="officeCode"/>'s when given.</summary>
    public Task<List<AdjustmentDispute>> ListAsync(string regencyCode, Period period, string? officeCode, string afterId, int limit,
        CancellationToken cancellationToken)
    {
        var query = db.AdjustmentDisputes.AsNoTracking()
            .Where(x => x.RegencyCode == regencyCode && x.PeriodKey == period.Key && string.Compare(x.Id, afterId) > 0);
        if (officeCode is not null) query = query.Where(x => x.OfficeCode == officeCode);
        return query.OrderBy(x => x.Id).Take(limit).ToListAsync(cancellationToken);
    }

    private static string Describe(DisputeState state) => state switch
    {
        DisputeState.Accepted => "accepted",
        DisputeState.Rejected => "rejected",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <summary>The dispute settings applied: where a dispute stands now and whether an adjustment is held.</summary>
public sealed class DisputeRules(IOptions<PayrollOptions> options)
{
    /// <summary>The state as it reads now: an open dispute past its cut-off under Release is LAPSED.</summary>
    public DisputeState StateOf(AdjustmentDispute dispute, DateTimeOffset now) =>
        dispute.State == DisputeState.Open && options.Value.Disputes.AtCutoff == UnresolvedDisputeAtCutoff.Release && now >= dispute.CutoffAt
            ? DisputeState.Lapsed
            : dispute.State;

    /// <summary>
    /// Whether an adjustment revision is held now: by its open or accepted dispute, or, with
    /// <see cref="DisputeOptions.HoldUntilCutoff"/>, until its cut-off.
    /// </summary>
    public bool Holds(PayrollAdjustment adjustment, AdjustmentDispute? dispute, DateTimeOffset now) =>
        (dispute is not null && StateOf(dispute, now) is DisputeState.Open or DisputeState.Accepted)
        || (options.Value.Disputes.HoldUntilCutoff && now < CutoffOf(adjustment));

    /// <summary>The end of an adjustment's dispute window.</summary>
    public DateTimeOffset CutoffOf(PayrollAdjustment adjustment) => adjustment.CreatedAt + options.Value.Disputes.Window;
}
