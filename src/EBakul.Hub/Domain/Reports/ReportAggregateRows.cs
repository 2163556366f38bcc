namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// One merchant's month (table <c>report_merchant_months</c>): the category, scale and kecamatan it counts under for the
/// whole month (as they stood at its first purchase of the month), when it was first verified, whether the month's policy
/// counts its category and scale, and its spending. Kept by <see cref="ReportAggregates"/>.
/// </summary>
public sealed class ReportMerchantMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>Its category for the month.</summary>
    public int Category { get; init; }
    /// <summary>Its scale for the month.</summary>
    public int Scale { get; init; }
    /// <summary>Its kecamatan for the month.</summary>
    public required string KecamatanCode { get; init; }
    /// <summary>When it was first ACTIVE (Unix milliseconds), null if never.</summary>
    public long? FirstActiveAt { get; init; }
    /// <summary>Whether the month's policy counts its category and scale (false before the regency's first policy).</summary>
    public bool Counts { get; init; }
    /// <summary>Spending, whole rupiah (0 when it does not count).</summary>
    public long SpentRupiah { get; init; }
    /// <summary>Purchases that stand.</summary>
    public long PurchaseCount { get; init; }
    /// <summary>Distinct employees with spending there.</summary>
    public long BuyerCount { get; init; }
}

/// <summary>
/// One employee's spending at one merchant in a month (table <c>report_buyer_merchant_months</c>), under the office the
/// employee's month counts under and the merchant's month values: the employee level the distinct buyers come from.
/// </summary>
public sealed class ReportBuyerMerchantMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The office the employee's month counts under.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>The employee.</summary>
    public required string EmployeeNip { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>The merchant's category for the month.</summary>
    public int Category { get; init; }
    /// <summary>The merchant's scale for the month.</summary>
    public int Scale { get; init; }
    /// <summary>The merchant's kecamatan for the month.</summary>
    public required string KecamatanCode { get; init; }
    /// <summary>Spending, whole rupiah.</summary>
    public long SpentRupiah { get; init; }
    /// <summary>Purchases that stand.</summary>
    public long PurchaseCount { get; init; }
}

/// <summary>One office's spending at one merchant in a month (table <c>report_office_merchant_months</c>).</summary>
public sealed class ReportOfficeMerchantMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The office.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>Spending, whole rupiah.</summary>
    public long SpentRupiah { get; init; }
    /// <summary>Purchases that stand.</summary>
    public long PurchaseCount { get; init; }
    /// <summary>Distinct employees of the office with spending there.</summary>
    public long BuyerCount { get; init; }
}

/// <summary>
/// An office's figures in a month (table <c>report_office_group_months</c>): for <see cref="ReportDimension.Office"/> its
/// spending, purchases, buyers and merchants; for a category, scale or kecamatan, its distinct buyers in that group.
/// </summary>
public sealed class ReportOfficeGroupMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The office.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>What the group is.</summary>
    public ReportDimension Dimension { get; init; }
    /// <summary>The category or scale number, the kecamatan code, or "" for the office itself.</summary>
    public required string GroupKey { get; init; }
    /// <summary>Spending, whole rupiah (office rows only).</summary>
    public long SpentRupiah { get; init; }
    /// <summary>Purchases that stand (office rows only).</summary>
    public long PurchaseCount { get; init; }
    /// <summary>Distinct employees of the office with spending in the group.</summary>
    public long BuyerCount { get; init; }
    /// <summary>Distinct merchants with spending from the office's employees (office rows only).</summary>
    public long MerchantCount { get; init; }
}

/// <summary>The groupings of <see cref="ReportOfficeGroupMonth"/>.</summary>
public enum ReportDimension
{
    /// <summary>The office as a whole.</summary>
    Office = 0,
    /// <summary>A merchant category.</summary>
    Category = 1,
    /// <summary>A merchant scale.</summary>
    Scale = 2,
    /// <summary>A kecamatan.</summary>
    Kecamatan = 3,
}

/// <summary>
/// A regency whose report aggregates must be computed again from the ledger before a report reads them (table
/// <c>report_rebuilds</c>): after a migration onto an existing ledger, a demo load, or the regency's first quota policy.
/// </summary>
public sealed class ReportRebuild
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>When it was asked for (Unix milliseconds).</summary>
    public long RequestedAt { get; init; }
}
