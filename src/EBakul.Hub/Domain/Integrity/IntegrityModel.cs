namespace EBakul.Hub.Domain.Integrity;

/// <summary>The rule that raised a signal. Numbers match <c>ebakul.integrity.v1.IntegritySignalKind</c>.</summary>
public enum SignalKind
{
    /// <summary>A merchant whose takings come from one office far beyond its peers, in large one-off purchases.</summary>
    OfficeCaptiveMerchant = 1,
    /// <summary>One purchase of about exactly the required amount in the month's last days, month after month, at one merchant.</summary>
    QuotaAtMonthEnd = 2,
    /// <summary>Consecutive receipt numbers of one merchant handed to several buyers within minutes.</summary>
    ReceiptSequence = 3,
    /// <summary>The same evidence digest on different purchases.</summary>
    SharedEvidence = 4,
    /// <summary>A month of e-Bakul takings beyond what the merchant's registered scale allows.</summary>
    ScaleExceeded = 5,
    /// <summary>A newly verified merchant with heavy takings from very few buyers at once.</summary>
    NewMerchantFewBuyers = 6,
    /// <summary>Employees of one office buying the same large amount at one merchant on one day.</summary>
    SameAmountGroup = 7,
}

/// <summary>An inspector's conclusion. Numbers match <c>ebakul.integrity.v1.ReviewVerdict</c>.</summary>
public enum ReviewVerdict
{
    /// <summary>Nothing wrong found.</summary>
    Cleared = 1,
    /// <summary>The purchases were arranged.</summary>
    Confirmed = 2,
}

/// <summary>One figure a signal stands on: a stable name, its Indonesian label and its value.</summary>
public sealed record SignalFigure(string Name, string Label, long Value);

/// <summary>
/// A reason to look at some purchases of one regency's month: the rule, how far past its bounds (1-100), the plain-Indonesian
/// explanation with its figures, the merchant, office and employees concerned and the ledger entries behind it.
/// </summary>
public sealed record IntegritySignal(
    string Id,
    SignalKind Kind,
    int Strength,
    string Explanation,
    IReadOnlyList<SignalFigure> Figures,
    string MerchantId,
    string? OfficeCode,
    IReadOnlyList<string> EmployeeNips,
    IReadOnlyList<string> EntryIds,
    long AmountRupiah,
    int BuyerCount)
{
    /// <summary>The merchant's name.</summary>
    public string MerchantName { get; init; } = "";
}

/// <summary>A purchase behind a signal, with the buyer's and merchant's names.</summary>
public sealed record SignalPurchase(
    string EntryId, string EmployeeNip, string EmployeeName, string OfficeCode, string MerchantId, string MerchantName,
    long AmountRupiah, DateTimeOffset OccurredAt, string ReceiptReference, string? EvidenceSha256);

/// <summary>
/// The latest review of a signal (table <c>integrity_reviews</c>): one row per signal, replaced by a later review; each
/// review is also an event of the audit trail.
/// </summary>
public sealed class IntegrityReview
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month (<see cref="Period.Key"/>).</summary>
    public int PeriodKey { get; init; }
    /// <summary>The signal's id.</summary>
    public required string SignalId { get; init; }
    /// <summary>Cleared or confirmed.</summary>
    public ReviewVerdict Verdict { get; set; }
    /// <summary>The inspector's note.</summary>
    public required string Note { get; set; }
    /// <summary>The calling system that reviewed.</summary>
    public required string ReviewedBy { get; set; }
    /// <summary>When.</summary>
    public DateTimeOffset ReviewedAt { get; set; }
}
