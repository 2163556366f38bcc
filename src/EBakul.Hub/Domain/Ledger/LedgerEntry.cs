namespace EBakul.Hub.Domain.Ledger;

/// <summary>Purchase or reversal. Numbers match <c>ebakul.ledger.v1.EntryKind</c>.</summary>
public enum EntryKind
{
    /// <summary>A purchase.</summary>
    Purchase = 1,
    /// <summary>The reversal of an earlier purchase.</summary>
    Reversal = 2,
}

/// <summary>Nota or QRIS. Numbers match <c>ebakul.ledger.v1.ReceiptKind</c>.</summary>
public enum ReceiptKind
{
    /// <summary>Shop receipt number.</summary>
    Nota = 1,
    /// <summary>QRIS payment reference.</summary>
    Qris = 2,
}

/// <summary>
/// One row of the append-only purchase ledger (table <c>ledger_entries</c>). Rows are inserted, never
/// updated or deleted. <see cref="Sequence"/> is the change-feed cursor.
/// </summary>
public sealed class LedgerEntry
{
    /// <summary>Position in the ledger (integer primary key), increasing in commit order.</summary>
    public long Sequence { get; set; }
    /// <summary>Hub-assigned identifier.</summary>
    public required string Id { get; init; }
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Purchase or reversal.</summary>
    public EntryKind Kind { get; init; }
    /// <summary>The buyer.</summary>
    public required string EmployeeNip { get; init; }
    /// <summary>The buyer's office when recorded.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>Whole rupiah; negative for a reversal.</summary>
    public long AmountRupiah { get; init; }
    /// <summary>When the purchase happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }
    /// <summary><see cref="Period.Key"/> of the Jakarta month it counts in.</summary>
    public int PeriodKey { get; init; }
    /// <summary>Nota or QRIS.</summary>
    public ReceiptKind ReceiptKind { get; init; }
    /// <summary>Nota number or QRIS reference.</summary>
    public required string ReceiptReference { get; init; }
    /// <summary>SHA-256 of the evidence, lowercase hex, when given.</summary>
    public string? EvidenceSha256 { get; init; }
    /// <summary>The calling system that recorded it.</summary>
    public required string RecordedBy { get; init; }
    /// <summary>When the hub recorded it.</summary>
    public DateTimeOffset RecordedAt { get; init; }
    /// <summary>For a reversal: the purchase voided (unique: a purchase is voided at most once).</summary>
    public string? ReversesEntryId { get; init; }
    /// <summary>For a reversal: why.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// The claim of a receipt at a merchant by the purchase that stands on it (table <c>receipt_claims</c>).
/// Its primary key makes the same receipt count at most once; voiding a purchase releases the claim so
/// the corrected purchase can be recorded with the same receipt. Not part of the ledger itself.
/// </summary>
public sealed class ReceiptClaim
{
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>Nota number or QRIS reference, as recorded.</summary>
    public required string ReceiptReference { get; init; }
    /// <summary>The purchase holding the claim.</summary>
    public required string EntryId { get; init; }
}
