namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// Compliance of a group of employees (an office, or the whole regency when <see cref="OfficeCode"/> is null) for a month.
/// Totals of money are over the obliged employees.
/// </summary>
/// <param name="RegencyCode">The regency.</param>
/// <param name="OfficeCode">The office; null for the regency.</param>
/// <param name="Period">The month.</param>
/// <param name="PolicyVersion">The policy version applied.</param>
/// <param name="EmployeeCount">Employees in service during the month.</param>
/// <param name="ExemptCount">Of them, exempt.</param>
/// <param name="NoTppCount">Of them, without TPP for the month (not obliged, outside the compliance figures).</param>
/// <param name="CompliantCount">Obliged and compliant.</param>
/// <param name="NonCompliantCount">Obliged and not compliant.</param>
/// <param name="TotalRequiredRupiah">Sum of what the obliged owe.</param>
/// <param name="TotalCountedRupiah">Sum of what counts for the obliged.</param>
/// <param name="TotalShortfallRupiah">Sum of the obliged's remaining amounts.</param>
/// <param name="TotalProjectedCorrectionRupiah">Sum of the projected TPP corrections.</param>
public sealed record ComplianceSummary(
    string RegencyCode, string? OfficeCode, Period Period, int PolicyVersion,
    int EmployeeCount, int ExemptCount, int NoTppCount, int CompliantCount, int NonCompliantCount,
    long TotalRequiredRupiah, long TotalCountedRupiah, long TotalShortfallRupiah, long TotalProjectedCorrectionRupiah)
{
    /// <summary>Employees obliged: everyone exempt neither nor without TPP.</summary>
    public int ObligedCount => EmployeeCount - ExemptCount - NoTppCount;

    /// <summary>compliant × 10000 / obliged, rounded down; 0 when nobody is obliged. The exact rate is the ratio of the two counts.</summary>
    public int ComplianceRateBasisPoints => ObligedCount == 0 ? 0 : (int)((long)CompliantCount * QuotaPolicy.WholeBasisPoints / ObligedCount);
}

/// <summary>A regency's compliance with one summary per office (by office code).</summary>
/// <param name="Regency">The whole regency.</param>
/// <param name="Offices">Per office.</param>
public sealed record RegencyCompliance(ComplianceSummary Regency, IReadOnlyList<ComplianceSummary> Offices);

/// <summary>Adds up employee evaluations into a <see cref="ComplianceSummary"/>.</summary>
public sealed class ComplianceTally(string regencyCode, string? officeCode, Period period, int policyVersion)
{
    private int _employees, _exempt, _noTpp, _compliant, _nonCompliant;
    private long _required, _counted, _shortfall, _correction;

    /// <summary>Adds one employee's result.</summary>
    public void Add(EmployeeEvaluation evaluation) => Add(evaluation.Outcome, evaluation.RequiredRupiah, evaluation.CountedRupiah,
        evaluation.RemainingRupiah, evaluation.ProjectedCorrectionRupiah, 1);

    /// <summary>
    /// Adds (<paramref name="sign"/> 1) or takes away (−1) one employee's result given by its parts, as kept in
    /// <c>compliance_employee_months</c>: the counts by outcome, and the money of the obliged only.
    /// </summary>
    public void Add(QuotaOutcome outcome, long requiredRupiah, long countedRupiah, long remainingRupiah, long projectedCorrectionRupiah, int sign)
    {
        _employees += sign;
        switch (outcome)
        {
            case QuotaOutcome.Exempt:
                _exempt += sign;
                return;
            case QuotaOutcome.NoTpp:
                _noTpp += sign;
                return;
            case QuotaOutcome.Compliant:
                _compliant += sign;
                break;
            default:
                _nonCompliant += sign;
                break;
        }
        _required += sign * requiredRupiah;
        _counted += sign * countedRupiah;
        _shortfall += sign * remainingRupiah;
        _correction += sign * projectedCorrectionRupiah;
    }

    /// <summary>The summary so far.</summary>
    public ComplianceSummary ToSummary() => new(
        regencyCode, officeCode, period, policyVersion, _employees, _exempt, _noTpp, _compliant, _nonCompliant,
        _required, _counted, _shortfall, _correction);
}
