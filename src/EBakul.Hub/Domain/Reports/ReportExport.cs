namespace EBakul.Hub.Domain.Reports;

/// <summary>A report that can be exported as CSV. Numbers match <c>ebakul.reports.v1.ReportKind</c>.</summary>
public enum ReportKind
{
    /// <summary>Spending by merchant category.</summary>
    SpendingByCategory = 1,
    /// <summary>Spending by the merchant's kecamatan.</summary>
    SpendingByKecamatan = 2,
    /// <summary>Spending by the buyer's office.</summary>
    SpendingByOffice = 3,
    /// <summary>Spending by merchant scale.</summary>
    SpendingByScale = 4,
    /// <summary>Top merchants by spending.</summary>
    TopMerchantsByAmount = 5,
    /// <summary>Top merchants by distinct buyers.</summary>
    TopMerchantsByBuyers = 6,
    /// <summary>The spending trend, one record per month.</summary>
    SpendingTrend = 7,
    /// <summary>Compliance by office.</summary>
    ComplianceByOffice = 8,
}

/// <summary>One report as CSV records (<see cref="ReportCsv"/>), for the gRPC export stream and the HTTP download alike.</summary>
public sealed class ReportExport(SpendingReports spending, ComplianceReports compliance)
{
    /// <summary>The file name of a report's download: <c>spending-by-category</c> for <see cref="ReportKind.SpendingByCategory"/>.</summary>
    public static string FileName(ReportKind kind) => Quota.EnumNames.UpperSnake(kind).ToLowerInvariant().Replace('_', '-');

    /// <summary>The kind whose <see cref="FileName"/> is <paramref name="name"/>, or null.</summary>
    public static ReportKind? FromFileName(string name) =>
        Enum.GetValues<ReportKind>().Select(k => (ReportKind?)k).FirstOrDefault(k => FileName(k!.Value) == name);

    /// <summary>
    /// The records of one report, header first. <paramref name="period"/> is the month, or the last month of a trend of
    /// <paramref name="months"/> months.
    /// </summary>
    public async Task<IReadOnlyList<string>> LinesAsync(ReportKind kind, string regencyCode, Period period, int months, string? officeCode,
        int topMerchantCount, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case ReportKind.SpendingTrend:
                return [.. ReportCsv.Trend(await spending.TrendAsync(regencyCode, period, months, officeCode, cancellationToken))];
            case ReportKind.ComplianceByOffice:
                return [.. ReportCsv.Compliance(await compliance.MonthAsync(regencyCode, period, officeCode, cancellationToken))];
        }
        var report = await spending.MonthAsync(regencyCode, period, officeCode, topMerchantCount, cancellationToken);
        return kind switch
        {
            ReportKind.SpendingByCategory => [.. ReportCsv.Groups(report, report.ByCategory)],
            ReportKind.SpendingByKecamatan => [.. ReportCsv.Groups(report, report.ByKecamatan)],
            ReportKind.SpendingByOffice => [.. ReportCsv.Groups(report, report.ByOffice)],
            ReportKind.SpendingByScale => [.. ReportCsv.Groups(report, report.ByScale)],
            ReportKind.TopMerchantsByAmount => [.. ReportCsv.Merchants(report, report.TopMerchantsByAmount)],
            ReportKind.TopMerchantsByBuyers => [.. ReportCsv.Merchants(report, report.TopMerchantsByBuyers)],
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a report kind"),
        };
    }
}
