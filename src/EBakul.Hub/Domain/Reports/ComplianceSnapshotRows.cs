namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// One employee's quota evaluation of a month as last refreshed (table <c>compliance_employee_months</c>): what
/// <see cref="Quota.QuotaEvaluator"/> answered for the employee, kept so that the compliance report is a sum by office
/// (<see cref="ComplianceSnapshots"/>). Only employees the evaluation covers (in service on a day of the month) have a row.
/// </summary>
public sealed class ComplianceEmployeeMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The office the employee's month counts under.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>The outcome (<see cref="Quota.QuotaOutcome"/>).</summary>
    public int Outcome { get; init; }
    /// <summary>Owed for the month after proration; 0 when exempt.</summary>
    public long RequiredRupiah { get; init; }
    /// <summary>Eligible purchases after the per-merchant cap.</summary>
    public long CountedRupiah { get; init; }
    /// <summary>The shortfall.</summary>
    public long RemainingRupiah { get; init; }
    /// <summary>The TPP correction if the month closed now.</summary>
    public long ProjectedCorrectionRupiah { get; init; }
}

/// <summary>
/// The <see cref="ComplianceEmployeeMonth"/> rows of one office summed (table <c>compliance_office_months</c>), kept with
/// them in every refresh's write, so that the compliance report reads one row per office instead of every employee's.
/// The columns are those of a <see cref="Quota.ComplianceSummary"/>; money is summed over the obliged (compliant and not).
/// An office whose employees all left the month keeps a row with <see cref="EmployeeCount"/> 0, which reports skip.
/// </summary>
public sealed class ComplianceOfficeMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The office.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>Employees with a row.</summary>
    public int EmployeeCount { get; init; }
    /// <summary>Of them, exempt.</summary>
    public int ExemptCount { get; init; }
    /// <summary>Of them, without TPP.</summary>
    public int NoTppCount { get; init; }
    /// <summary>Of them, obliged and compliant.</summary>
    public int CompliantCount { get; init; }
    /// <summary>Of them, obliged and not compliant.</summary>
    public int NonCompliantCount { get; init; }
    /// <summary>Sum of what the obliged owe.</summary>
    public long RequiredRupiah { get; init; }
    /// <summary>Sum of what counts for the obliged.</summary>
    public long CountedRupiah { get; init; }
    /// <summary>Sum of the obliged's shortfalls.</summary>
    public long ShortfallRupiah { get; init; }
    /// <summary>Sum of the obliged's projected corrections.</summary>
    public long ProjectedCorrectionRupiah { get; init; }
}

/// <summary>
/// How far a regency's month of <see cref="ComplianceEmployeeMonth"/> rows is refreshed (table <c>compliance_months</c>):
/// the policy version they were evaluated with, the last ledger sequence and the last <see cref="ComplianceChange"/>
/// they take into account.
/// </summary>
public sealed class ComplianceMonth
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The month.</summary>
    public int PeriodKey { get; init; }
    /// <summary>The quota policy version the rows were evaluated with; 0 for a month listed but never built yet.</summary>
    public int PolicyVersion { get; init; }
    /// <summary>Ledger entries up to this sequence are reflected.</summary>
    public long LedgerSequence { get; init; }
    /// <summary>Changes up to this id are reflected.</summary>
    public long ChangeId { get; init; }
    /// <summary>When the rows were last refreshed (Unix milliseconds).</summary>
    public long RefreshedAt { get; init; }
}

/// <summary>
/// A write that may change quota evaluations other than through the ledger (table <c>compliance_changes</c>, appended by
/// database triggers): an employee's roster row, status timeline, assignments or exemptions (<see cref="Nip"/>), the
/// status or category and scale of a merchant (a row for each employee who bought there), or a regency's quota policies
/// (<see cref="RegencyCode"/>, every employee of the regency).
/// </summary>
public sealed class ComplianceChange
{
    /// <summary>Position: ids are taken in the writer's transactions, so they become visible in order.</summary>
    public long Id { get; init; }
    /// <summary>Set when every employee of the regency is concerned.</summary>
    public string? RegencyCode { get; init; }
    /// <summary>Set when one employee (of whichever regency) is concerned.</summary>
    public string? Nip { get; init; }
}
