using EBakul.Hub.Audit;
using EBakul.Hub.Data;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// The closed months a change reaches back into. A month that is closed (or being closed) keeps what its close saw: a later
/// roster or registry change is kept and applies to the months still open, and reaches a closed month only through a
/// correction (<c>OpenCorrection</c>, then <c>ClosePeriod</c> again, which makes new revisions). The write says which closed
/// months it would have changed, in its answer and in the audit trail, so that an admin can decide on a correction.
/// </summary>
public static class ClosedMonths
{
    /// <summary>The regency's months that are closed or being closed, at or after <paramref name="from"/>'s month, in order.</summary>
    public static List<Period> From(WriteTransaction tx, string regencyCode, DateOnly from)
    {
        var fromKey = Period.Containing(from).Key;
        return InOrder(Frozen(tx, regencyCode).Where(p => p.PeriodKey >= fromKey));
    }

    /// <summary>The regency's closed (or closing) months in which the merchant has ledger entries, in order.</summary>
    public static List<Period> WithPurchasesAt(WriteTransaction tx, string regencyCode, string merchantId) =>
        InOrder(Frozen(tx, regencyCode)
            .Where(p => tx.Db.LedgerEntries.Any(e => e.RegencyCode == regencyCode && e.MerchantId == merchantId && e.PeriodKey == p.PeriodKey)));

    /// <summary>The regency's months that are closed or being closed: those that keep what their close saw.</summary>
    private static IQueryable<PeriodState> Frozen(WriteTransaction tx, string regencyCode) =>
        tx.Db.PeriodStates.Where(p => p.RegencyCode == regencyCode && (p.Status == PeriodStatus.Closed || p.Status == PeriodStatus.Closing));

    private static List<Period> InOrder(IQueryable<PeriodState> months) =>
        [.. months.Select(p => p.PeriodKey).AsEnumerable().Order().Select(Period.FromKey)];

    /// <summary>
    /// Records in the audit trail, beside the request's own event, which closed months the change did not reach:
    /// <c>{"closedMonthsTouched":["2026-10"],"what":"…"}</c>. Nothing when there are none.
    /// </summary>
    public static void Audit(WriteTransaction tx, AuditTrail audit, string callerId, string method, string requestId, string regencyCode,
        IEnumerable<Period> months, string what)
    {
        var list = months.Distinct().Order().ToList();
        if (list.Count == 0) return;
        var details = System.Text.Json.JsonSerializer.Serialize(new
        {
            closedMonthsTouched = list.Select(m => m.ToString()).ToArray(),
            what,
            correction = "applies to these months only through OpenCorrection and a new ClosePeriod",
        });
        audit.Append(tx, callerId, method, requestId, regencyCode, details);
    }
}
