using EBakul.Hub.Data;
using EBakul.Hub.Domain.Quota;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Compliance by office for a month: the quota evaluation's compliance sums as of now (the figures of
/// <see cref="QuotaEvaluator.SummarizeAsync"/> and QuotaService, read from the refreshed per-employee evaluations of
/// <see cref="ComplianceSnapshots"/>), with the TPP corrections in force
/// once the month has been closed (each employee's latest adjustment). Offices with fewer employees than
/// <see cref="ReportOptions.MinimumGroupSize"/> are folded into "OTHER" (docs/reports.md).
/// </summary>
public sealed class ComplianceReports(HubDbContext db, ComplianceSnapshots snapshots, SpendingReports spending, ClosedMonthReports closedMonths,
    IOptions<ReportOptions> options)
{
    /// <summary>
    /// The report of a month, of one office when <paramref name="officeCode"/> is given. FAILED_PRECONDITION
    /// <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// </summary>
    public async Task<ComplianceReport> MonthAsync(string regencyCode, Period period, string? officeCode, CancellationToken cancellationToken)
    {
        var minimum = Math.Max(1, options.Value.MinimumGroupSize);
        var compliance = await snapshots.SummarizeAsync(regencyCode, period, officeCode, cancellationToken);
        var (closed, corrections) = await closedMonths.CorrectionsAsync(db, regencyCode, period, cancellationToken);
        var names = await spending.OfficeNamesAsync(regencyCode, cancellationToken);

        var offices = compliance.Offices.Select(o => Row(o.OfficeCode!, names.GetValueOrDefault(o.OfficeCode!, o.OfficeCode!), o,
            corrections.GetValueOrDefault(o.OfficeCode!), 0)).ToList();
        var scopeCorrections = officeCode is null
            ? (corrections.Values.Sum(c => c.Employees), corrections.Values.Sum(c => c.Rupiah))
            : corrections.GetValueOrDefault(officeCode);
        var total = Row(null, null, compliance.Regency, scopeCorrections, 0);
        var employees = compliance.Regency.EmployeeCount;
        if (employees > 0 && employees < minimum)
        {
            var empty = new ComplianceSummary(regencyCode, officeCode, period, compliance.Regency.PolicyVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            return new ComplianceReport(regencyCode, period, officeCode, compliance.Regency.PolicyVersion, closed, true, minimum,
                new OfficeCompliance(null, null, empty, 0, 0, 0), []);
        }
        return new ComplianceReport(regencyCode, period, officeCode, compliance.Regency.PolicyVersion, closed, false, minimum, total,
            Fold(offices, minimum, regencyCode, period, compliance.Regency.PolicyVersion));
    }

    private static OfficeCompliance Row(string? code, string? name, ComplianceSummary summary, (int Employees, long Rupiah) corrections, int folded) =>
        new(code, name, summary, corrections.Employees, corrections.Rupiah, folded);

    /// <summary>
    /// Offices with fewer employees than the minimum join "OTHER"; while "OTHER" holds fewer than the minimum, the smallest
    /// shown office joins it too.
    /// </summary>
    private static List<OfficeCompliance> Fold(List<OfficeCompliance> offices, int minimum, string regencyCode, Period period, int policyVersion)
    {
        var folded = offices.Where(o => o.Summary.EmployeeCount < minimum).ToHashSet();
        while (folded.Count > 0 && folded.Count < offices.Count && folded.Sum(o => o.Summary.EmployeeCount) < minimum)
        {
            folded.Add(offices.Where(o => !folded.Contains(o)).OrderBy(o => o.Summary.EmployeeCount)
                .ThenBy(o => o.OfficeCode, StringComparer.Ordinal).First());
        }
        var shown = offices.Where(o => !folded.Contains(o)).OrderBy(o => o.OfficeCode, StringComparer.Ordinal).ToList();
        if (folded.Count == 0) return shown;

        var s = folded.Select(o => o.Summary).ToList();
        var other = new ComplianceSummary(regencyCode, SpendingReports.OtherKey, period, policyVersion,
            s.Sum(x => x.EmployeeCount), s.Sum(x => x.ExemptCount), s.Sum(x => x.NoTppCount), s.Sum(x => x.CompliantCount),
            s.Sum(x => x.NonCompliantCount), s.Sum(x => x.TotalRequiredRupiah), s.Sum(x => x.TotalCountedRupiah),
            s.Sum(x => x.TotalShortfallRupiah), s.Sum(x => x.TotalProjectedCorrectionRupiah));
        shown.Add(new OfficeCompliance(SpendingReports.OtherKey, SpendingReports.OtherName, other,
            folded.Sum(o => o.CorrectedEmployeeCount), folded.Sum(o => o.TotalCorrectionRupiah), folded.Count));
        return shown;
    }
}
