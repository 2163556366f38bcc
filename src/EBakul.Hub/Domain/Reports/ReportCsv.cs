using System.Globalization;
using System.Text;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// The reports as CSV records (RFC 4180: fields quoted when they hold a comma, quote or line break; no line ending). The
/// first record is the header; money is whole rupiah and proportions basis points, as in the gRPC answers.
/// </summary>
public static class ReportCsv
{
    /// <summary>A group list (by category, kecamatan, office or scale).</summary>
    public static IEnumerable<string> Groups(SpendingReport report, IReadOnlyList<SpendingGroup> groups)
    {
        yield return "period,key,display_name,spent_rupiah,purchase_count,buyer_count,merchant_count,share_basis_points,folded_group_count";
        foreach (var g in groups)
            yield return Record(report.Period.ToString(), g.Key, g.DisplayName, g.SpentRupiah, g.PurchaseCount, g.BuyerCount, g.MerchantCount,
                BasisPoints.Of(g.SpentRupiah, report.SpentRupiah), g.FoldedGroupCount);
    }

    /// <summary>A top merchant list.</summary>
    public static IEnumerable<string> Merchants(SpendingReport report, IReadOnlyList<MerchantSpending> merchants)
    {
        yield return "period,rank,merchant_id,merchant_name,kecamatan_code,category,spent_rupiah,purchase_count,buyer_count,newly_registered";
        var rank = 0;
        foreach (var m in merchants)
            yield return Record(report.Period.ToString(), ++rank, m.MerchantId, m.MerchantName, m.KecamatanCode, "MERCHANT_CATEGORY_" +
                Quota.EnumNames.UpperSnake(m.Category), m.SpentRupiah, m.PurchaseCount, m.BuyerCount, m.NewlyRegistered ? "true" : "false");
    }

    /// <summary>A trend, one record per month.</summary>
    public static IEnumerable<string> Trend(IReadOnlyList<SpendingTrendMonth> months)
    {
        yield return "period,suppressed,spent_rupiah,purchase_count,buyer_count,merchant_count,new_merchant_spent_rupiah," +
            "new_merchant_share_basis_points,change_rupiah,change_basis_points";
        foreach (var (r, change, changeBasisPoints) in months)
            yield return Record(r.Period.ToString(), r.Suppressed ? "true" : "false", r.SpentRupiah, r.PurchaseCount, r.BuyerCount, r.MerchantCount,
                r.NewMerchantSpentRupiah, BasisPoints.Of(r.NewMerchantSpentRupiah, r.SpentRupiah), change,
                changeBasisPoints is { } relative ? relative : "");
    }

    /// <summary>Compliance by office, the total last (office_code empty).</summary>
    public static IEnumerable<string> Compliance(ComplianceReport report)
    {
        yield return "period,office_code,display_name,employee_count,obliged_count,compliant_count,non_compliant_count,exempt_count,no_tpp_count," +
            "compliance_rate_basis_points,total_required_rupiah,total_counted_rupiah,total_shortfall_rupiah,total_projected_correction_rupiah," +
            "corrected_employee_count,total_correction_rupiah,folded_group_count";
        foreach (var o in report.Offices.Append(report.Total))
        {
            var s = o.Summary;
            yield return Record(report.Period.ToString(), o.OfficeCode ?? "", o.DisplayName ?? "Jumlah", s.EmployeeCount, s.ObligedCount, s.CompliantCount,
                s.NonCompliantCount, s.ExemptCount, s.NoTppCount, s.ComplianceRateBasisPoints, s.TotalRequiredRupiah, s.TotalCountedRupiah,
                s.TotalShortfallRupiah, s.TotalProjectedCorrectionRupiah, o.CorrectedEmployeeCount, o.TotalCorrectionRupiah, o.FoldedGroupCount);
        }
    }

    /// <summary>One record from its fields.</summary>
    public static string Record(params object[] fields)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) sb.Append(',');
            var text = Convert.ToString(fields[i], CultureInfo.InvariantCulture) ?? "";
            // A leading =, +, - or @ would be read as a formula by spreadsheets: such text (only names can start so) is quoted with a leading apostrophe.
            if (fields[i] is string && text.Length > 0 && "=+-@".Contains(text[0])) text = "'" + text;
            if (text.AsSpan().IndexOfAny(",\"\r\n") >= 0) sb.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else sb.Append(text);
        }
        return sb.ToString();
    }
}
