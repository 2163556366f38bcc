using EBakul.Hub.Domain.Quota;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>Lifecycle of a month. Numbers match <c>ebakul.payroll.v1.PeriodStatus</c>.</summary>
public enum PeriodStatus
{
    /// <summary>Purchases are recorded; results move.</summary>
    Open = 1,
    /// <summary>A close is in progress: the ledger refuses changes for the month.</summary>
    Closing = 2,
    /// <summary>Closed: results and adjustments are frozen.</summary>
    Closed = 3,
    /// <summary>Reopened for an explicit correction.</summary>
    Correcting = 4,
}

/// <summary>Where an adjustment stands toward e-TPP. Numbers match <c>ebakul.payroll.v1.DeliveryState</c>.</summary>
public enum DeliveryState
{
    /// <summary>Waiting to be pulled or pushed.</summary>
    Pending = 1,
    /// <summary>A push is in progress.</summary>
    Delivering = 2,
    /// <summary>Applied by e-TPP.</summary>
    Delivered = 3,
    /// <summary>Permanently rejected by e-TPP.</summary>
    Parked = 4,
    /// <summary>
    /// Replaced by a later revision before e-TPP applied it: never to be applied (not pushed, not offered to pull, its
    /// acknowledgement refused with <c>REVISION_SUPERSEDED</c>). The later revision carries the month's whole correction.
    /// </summary>
    Superseded = 5,
}

/// <summary>
/// The state of one month of one regency (table <c>period_states</c>). A row exists once anything happened
/// to the month (a close started); no row means OPEN and never closed.
/// </summary>
public sealed class PeriodState
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary><see cref="Period.Key"/> of the month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>Lifecycle state.</summary>
    public PeriodStatus Status { get; set; }
    /// <summary>Number of completed closes.</summary>
    public int Revision { get; set; }
    /// <summary>When the latest close completed.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>Who closed it last.</summary>
    public string? ClosedBy { get; set; }
    /// <summary>Reason of the correction in progress or last made.</summary>
    public string? CorrectionReason { get; set; }
    /// <summary>Who opened the correction.</summary>
    public string? CorrectionOpenedBy { get; set; }
    /// <summary>Frozen totals: employees evaluated.</summary>
    public int Employees { get; set; }
    /// <summary>Frozen totals: exempt employees.</summary>
    public int Exempt { get; set; }
    /// <summary>Frozen totals: employees without TPP for the month (not obliged).</summary>
    public int NoTpp { get; set; }
    /// <summary>Frozen totals: compliant obliged employees.</summary>
    public int Compliant { get; set; }
    /// <summary>Frozen totals: non-compliant obliged employees.</summary>
    public int NonCompliant { get; set; }
    /// <summary>Frozen totals: required, rupiah.</summary>
    public long RequiredRupiah { get; set; }
    /// <summary>Frozen totals: counted, rupiah.</summary>
    public long CountedRupiah { get; set; }
    /// <summary>Frozen totals: shortfall, rupiah.</summary>
    public long ShortfallRupiah { get; set; }
    /// <summary>Frozen totals: TPP corrections in force, rupiah.</summary>
    public long TppCorrectionRupiah { get; set; }
    /// <summary>
    /// The last roster status change (<c>employee_status_changes.id</c>) the latest close saw: while the month is closing or
    /// closed it is evaluated with the timelines as they stood then, so a later sync reaching back does not move it. Null
    /// for a month closed before the hub kept it (evaluated as of now).
    /// </summary>
    public long? FrozenStatusChangeId { get; set; }
    /// <summary>
    /// The last merchant category or scale change (<c>merchant_attribute_changes.id</c>) the latest close saw: while the month
    /// is closing or closed its merchants count with the category and scale they had then. Null as for
    /// <see cref="FrozenStatusChangeId"/>.
    /// </summary>
    public long? FrozenMerchantChangeId { get; set; }
}

/// <summary>
/// One employee's frozen result of one close revision of a month (table <c>period_results</c>): what the
/// month's adjustments were computed from, kept as the audit basis.
/// </summary>
public sealed class PeriodResult
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The close revision.</summary>
    public int Revision { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The employee's office.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>Policy version applied.</summary>
    public int PolicyVersion { get; init; }
    /// <summary>Required, rupiah.</summary>
    public long RequiredRupiah { get; init; }
    /// <summary>Counted, rupiah.</summary>
    public long CountedRupiah { get; init; }
    /// <summary>Whether the employee was exempt, and why (null when obliged).</summary>
    public string? ExemptionReason { get; init; }
    /// <summary>Whether the quota was met (true when exempt).</summary>
    public bool Compliant { get; init; }
    /// <summary>TPP correction computed, rupiah (0 when compliant or exempt).</summary>
    public long TppCorrectionRupiah { get; init; }
}

/// <summary>
/// A payroll adjustment (table <c>payroll_adjustments</c>): immutable once created. A later revision is a new
/// row whose <see cref="SupersedesKey"/> names this one.
/// </summary>
public sealed class PayrollAdjustment
{
    /// <summary>Position in the regency's adjustment stream (integer primary key).</summary>
    public long Sequence { get; set; }
    /// <summary>Hub-assigned identifier.</summary>
    public required string Id { get; init; }
    /// <summary>"{regency}:{nip}:{period}:r{revision}"; unique.</summary>
    public required string IdempotencyKey { get; init; }
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The employee's office at close.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>Revision of this employee's adjustment for the month: 1, then one more for each correction that changed it.</summary>
    public int Revision { get; init; }
    /// <summary>Quota policy version applied.</summary>
    public int PolicyVersion { get; init; }
    /// <summary>Required, rupiah.</summary>
    public long RequiredRupiah { get; init; }
    /// <summary>Counted, rupiah.</summary>
    public long CountedRupiah { get; init; }
    /// <summary>Shortfall, rupiah.</summary>
    public long ShortfallRupiah { get; init; }
    /// <summary>The policy's sanction.</summary>
    public SanctionKind Sanction { get; init; }
    /// <summary>TPP correction, rupiah: never more than <see cref="TppCeilingRupiah"/>.</summary>
    public long TppCorrectionRupiah { get; init; }
    /// <summary>The employee's TPP ceiling for the month, rupiah, which bounds the correction.</summary>
    public long TppCeilingRupiah { get; init; }
    /// <summary>Key of the adjustment this one replaces (unique), or null.</summary>
    public string? SupersedesKey { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The key for an employee, month and revision.</summary>
    public static string KeyOf(string regencyCode, string nip, Period period, int revision) => $"{regencyCode}:{nip}:{period}:r{revision}";
}

/// <summary>
/// Delivery of one adjustment to e-TPP (table <c>adjustment_deliveries</c>), created in the same transaction as
/// the adjustment. It is the outbox of the push adapter and the acknowledgement record of the pull path.
/// </summary>
public sealed class AdjustmentDelivery
{
    /// <summary>The adjustment (primary key).</summary>
    public required string AdjustmentId { get; init; }
    /// <summary>The regency (for the dispatcher's scans).</summary>
    public required string RegencyCode { get; init; }
    /// <summary>State.</summary>
    public DeliveryState State { get; set; }
    /// <summary>Push attempts made.</summary>
    public int Attempts { get; set; }
    /// <summary>Last push error, or the parking reason.</summary>
    public string? LastError { get; set; }
    /// <summary>e-TPP's reference once applied.</summary>
    public string? EtppReference { get; set; }
    /// <summary>When it was applied.</summary>
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>How it was delivered: "pull" or "push".</summary>
    public string? DeliveredVia { get; set; }
    /// <summary>Earliest next push attempt.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>Until when a dispatcher holds the row (push in progress).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>Which hub process holds the lease.</summary>
    public string? LeaseOwner { get; set; }
}

/// <summary>Why an adjustment is disputed. Numbers match <c>ebakul.payroll.v1.DisputeReason</c>.</summary>
public enum DisputeReason
{
    /// <summary>A purchase the employee made is missing from the ledger.</summary>
    PurchaseMissing = 1,
    /// <summary>A recorded purchase should have counted.</summary>
    PurchaseNotCounted = 2,
    /// <summary>The roster was wrong for the month (status, office, class, TPP).</summary>
    RosterWrong = 3,
    /// <summary>The employee should have been exempt.</summary>
    ExemptionMissing = 4,
    /// <summary>Anything else (say what in the text).</summary>
    Other = 5,
}

/// <summary>Where a dispute stands. Numbers match <c>ebakul.payroll.v1.DisputeState</c>.</summary>
public enum DisputeState
{
    /// <summary>Filed, not decided: the adjustment is held.</summary>
    Open = 1,
    /// <summary>Upheld: the month is reopened for correction and the adjustment stays held until a new revision replaces it.</summary>
    Accepted = 2,
    /// <summary>Turned down: the adjustment goes to e-TPP as computed.</summary>
    Rejected = 3,
    /// <summary>Not decided by the cut-off, with <see cref="UnresolvedDisputeAtCutoff.Release"/>: the adjustment went as computed.</summary>
    Lapsed = 4,
}

/// <summary>
/// A dispute of one adjustment revision (table <c>adjustment_disputes</c>), filed by the employee's office or the
/// e-Bakul app on the employee's behalf, decided by a resolver (Inspektorat, BKD). One per revision.
/// </summary>
public sealed class AdjustmentDispute
{
    /// <summary>The dispute's identifier.</summary>
    public required string Id { get; init; }
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The idempotency key of the adjustment revision disputed.</summary>
    public required string AdjustmentKey { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The office the adjustment belongs to.</summary>
    public required string OfficeCode { get; init; }
    /// <summary><see cref="Period.Key"/> of the month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>Why it is disputed.</summary>
    public DisputeReason Reason { get; init; }
    /// <summary>The filer's words.</summary>
    public required string Text { get; init; }
    /// <summary>Evidence references (receipt numbers, letters), one per line.</summary>
    public required string EvidenceReferences { get; init; }
    /// <summary>The stored state (an open dispute past its cut-off under Release reads as LAPSED).</summary>
    public DisputeState State { get; set; }
    /// <summary>The calling system that filed it.</summary>
    public required string FiledBy { get; init; }
    /// <summary>When it was filed.</summary>
    public DateTimeOffset FiledAt { get; init; }
    /// <summary>The adjustment's cut-off: after it, an unresolved dispute follows <see cref="DisputeOptions.AtCutoff"/>.</summary>
    public DateTimeOffset CutoffAt { get; init; }
    /// <summary>The calling system that decided it.</summary>
    public string? ResolvedBy { get; set; }
    /// <summary>When it was decided.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>The resolver's reasons.</summary>
    public string? ResolutionText { get; set; }
}
