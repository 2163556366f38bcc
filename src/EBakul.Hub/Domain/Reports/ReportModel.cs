using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;

namespace EBakul.Hub.Domain.Reports;

/// <summary>The spending of a group of purchases (a category, kecamatan, office or scale, or the groups folded into "OTHER").</summary>
/// <param name="Key">Enum name, kecamatan or office code, or <see cref="SpendingReports.OtherKey"/>.</param>
/// <param name="DisplayName">Indonesian name.</param>
/// <param name="SpentRupiah">Eligible spending.</param>
/// <param name="PurchaseCount">Purchases that stand.</param>
/// <param name="BuyerCount">Distinct employees.</param>
/// <param name="MerchantCount">Distinct merchants.</param>
/// <param name="FoldedGroupCount">For "OTHER": how many groups it holds; otherwise 0.</param>
public sealed record SpendingGroup(string Key, string DisplayName, long SpentRupiah, long PurchaseCount, int BuyerCount, int MerchantCount, int FoldedGroupCount);

/// <summary>One merchant's spending.</summary>
/// <param name="MerchantId">The merchant.</param>
/// <param name="MerchantName">Its business name.</param>
/// <param name="KecamatanCode">Its kecamatan.</param>
/// <param name="Category">Its category.</param>
/// <param name="SpentRupiah">Eligible spending.</param>
/// <param name="PurchaseCount">Purchases that stand.</param>
/// <param name="BuyerCount">Distinct employees.</param>
/// <param name="NewlyRegistered">First verified within the report's new-merchant window.</param>
public sealed record MerchantSpending(
    string MerchantId, string MerchantName, string KecamatanCode, MerchantCategory Category, long SpentRupiah, long PurchaseCount, int BuyerCount,
    bool NewlyRegistered);

/// <summary>Spending of a regency (or one office of it) in a month; docs/reports.md defines every figure.</summary>
/// <param name="RegencyCode">The regency.</param>
/// <param name="Period">The month.</param>
/// <param name="OfficeCode">The office the report is limited to; null for the regency.</param>
/// <param name="PolicyVersion">The policy that defines what is spending; 0 when none is in force.</param>
/// <param name="Suppressed">The scope has buyers, but fewer than the minimum group size: every figure is withheld.</param>
/// <param name="MinimumGroupSize">The minimum group size applied.</param>
/// <param name="SpentRupiah">Total spending.</param>
/// <param name="PurchaseCount">Purchases that stand.</param>
/// <param name="BuyerCount">Distinct employees with spending.</param>
/// <param name="MerchantCount">Distinct merchants with spending.</param>
/// <param name="NewMerchantSpentRupiah">Spending at newly registered merchants.</param>
/// <param name="ByCategory">By merchant category.</param>
/// <param name="ByKecamatan">By the merchant's kecamatan.</param>
/// <param name="ByOffice">By the buyer's office in the month.</param>
/// <param name="ByScale">By merchant scale.</param>
/// <param name="TopMerchantsByAmount">Top merchants by spending.</param>
/// <param name="TopMerchantsByBuyers">Top merchants by distinct buyers.</param>
public sealed record SpendingReport(
    string RegencyCode, Period Period, string? OfficeCode, int PolicyVersion, bool Suppressed, int MinimumGroupSize,
    long SpentRupiah, long PurchaseCount, int BuyerCount, int MerchantCount, long NewMerchantSpentRupiah,
    IReadOnlyList<SpendingGroup> ByCategory, IReadOnlyList<SpendingGroup> ByKecamatan, IReadOnlyList<SpendingGroup> ByOffice,
    IReadOnlyList<SpendingGroup> ByScale, IReadOnlyList<MerchantSpending> TopMerchantsByAmount, IReadOnlyList<MerchantSpending> TopMerchantsByBuyers);

/// <summary>One month of a trend: the month's report and the change from the month before.</summary>
/// <param name="Report">The month's spending (without top merchants).</param>
/// <param name="ChangeRupiah">Spending minus the month before's.</param>
/// <param name="ChangeBasisPoints">The change relative to the month before, in basis points rounded toward zero; null when undefined.</param>
public sealed record SpendingTrendMonth(SpendingReport Report, long ChangeRupiah, int? ChangeBasisPoints);

/// <summary>Compliance of one office, of offices folded together, or of the whole scope.</summary>
/// <param name="OfficeCode">Office code, <see cref="SpendingReports.OtherKey"/>, or null for the total.</param>
/// <param name="DisplayName">The office's name, "Lainnya", or null for the total.</param>
/// <param name="Summary">Counts and sums as of now (<see cref="QuotaEvaluator.SummarizeAsync"/>).</param>
/// <param name="CorrectedEmployeeCount">Employees with a TPP correction in force after the month's close.</param>
/// <param name="TotalCorrectionRupiah">The corrections in force after the month's close.</param>
/// <param name="FoldedGroupCount">For "OTHER": how many offices it holds.</param>
public sealed record OfficeCompliance(
    string? OfficeCode, string? DisplayName, ComplianceSummary Summary, int CorrectedEmployeeCount, long TotalCorrectionRupiah, int FoldedGroupCount);

/// <summary>Compliance of a regency (or one office of it) for a month.</summary>
/// <param name="RegencyCode">The regency.</param>
/// <param name="Period">The month.</param>
/// <param name="OfficeCode">The office the report is limited to; null for the regency.</param>
/// <param name="PolicyVersion">The policy applied.</param>
/// <param name="Closed">Whether the month was closed at least once.</param>
/// <param name="Suppressed">The scope has employees, but fewer than the minimum group size.</param>
/// <param name="MinimumGroupSize">The minimum group size applied.</param>
/// <param name="Total">The whole scope.</param>
/// <param name="Offices">Per office, small offices folded into "OTHER" (last).</param>
public sealed record ComplianceReport(
    string RegencyCode, Period Period, string? OfficeCode, int PolicyVersion, bool Closed, bool Suppressed, int MinimumGroupSize,
    OfficeCompliance Total, IReadOnlyList<OfficeCompliance> Offices);

/// <summary>Proportions in basis points.</summary>
public static class BasisPoints
{
    /// <summary>
    /// <paramref name="part"/> × 10000 / <paramref name="whole"/>, rounded toward zero, held within the int32 range; 0 when
    /// <paramref name="whole"/> is 0.
    /// </summary>
    public static int Of(long part, long whole) =>
        whole == 0 ? 0 : (int)Int128.Clamp((Int128)part * QuotaPolicy.WholeBasisPoints / whole, int.MinValue, int.MaxValue);
}
