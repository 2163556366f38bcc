using EBakul.Hub.Data;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>What became of one acknowledgement.</summary>
public enum AcknowledgeOutcome
{
    /// <summary>Recorded now.</summary>
    Acknowledged = 1,
    /// <summary>Already acknowledged with the same reference.</summary>
    AlreadyAcknowledged = 2,
    /// <summary>Refused; see the reason.</summary>
    Rejected = 3,
}

/// <summary>The result of one acknowledgement.</summary>
public sealed record AcknowledgeResult(string Key, AcknowledgeOutcome Outcome, string? Reason);

/// <summary>
/// e-TPP's acknowledgements of applied adjustments (the pull path). An acknowledgement marks the delivery
/// DELIVERED with e-TPP's reference, whatever its state before (a push in progress then learns from e-TPP that
/// the key was already applied); the same key acknowledged again with the same reference is a no-op, with
/// another reference it is refused, because one adjustment is applied once. A revision that a later one replaced before
/// it was applied is refused with <c>REVISION_SUPERSEDED</c>: e-TPP applies the later revision instead.
/// </summary>
public sealed class Acknowledgements(TimeProvider clock, DisputeRules disputes)
{
    /// <summary>Applies the acknowledgements inside a write, each on its own.</summary>
    public IReadOnlyList<AcknowledgeResult> Apply(WriteTransaction tx, string regencyCode, IReadOnlyList<(string Key, string Reference)> acknowledgements)
    {
        var results = new List<AcknowledgeResult>(acknowledgements.Count);
        var now = clock.GetUtcNow();
        foreach (var (key, reference) in acknowledgements)
        {
            var row = (
                from a in tx.Db.PayrollAdjustments
                join d in tx.Db.AdjustmentDeliveries on a.Id equals d.AdjustmentId
                where a.RegencyCode == regencyCode && a.IdempotencyKey == key
                select new { a, d, Dispute = tx.Db.AdjustmentDisputes.FirstOrDefault(s => s.AdjustmentKey == a.IdempotencyKey) }).SingleOrDefault();
            if (row is null)
            {
                results.Add(new AcknowledgeResult(key, AcknowledgeOutcome.Rejected, "ADJUSTMENT_NOT_FOUND"));
                continue;
            }
            var found = row.d;
            if (found.State == DeliveryState.Delivered)
            {
                results.Add(found.EtppReference == reference
                    ? new AcknowledgeResult(key, AcknowledgeOutcome.AlreadyAcknowledged, null)
                    : new AcknowledgeResult(key, AcknowledgeOutcome.Rejected, "REFERENCE_MISMATCH"));
                continue;
            }
            if (found.State == DeliveryState.Superseded || tx.Db.PayrollAdjustments.Any(b => b.SupersedesKey == key))
            {
                // Applying it now would undo the newer revision's correction.
                results.Add(new AcknowledgeResult(key, AcknowledgeOutcome.Rejected, "REVISION_SUPERSEDED"));
                continue;
            }
            if (disputes.Holds(row.a, row.Dispute, now))
            {
                // Disputed (or within its dispute window): e-TPP must not apply it yet.
                results.Add(new AcknowledgeResult(key, AcknowledgeOutcome.Rejected, "ADJUSTMENT_HELD"));
                continue;
            }
            found.State = DeliveryState.Delivered;
            found.EtppReference = reference;
            found.DeliveredAt = now;
            found.DeliveredVia = "pull";
            found.LeaseUntil = null;
            found.LeaseOwner = null;
            results.Add(new AcknowledgeResult(key, AcknowledgeOutcome.Acknowledged, null));
        }
        tx.Db.SaveChanges();
        return results;
    }
}
