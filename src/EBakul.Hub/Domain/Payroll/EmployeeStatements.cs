using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Quota;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// Everything that explains an employee's month: the evaluation with every purchase and what counted, the month's state,
/// and every revision of its adjustment.
/// </summary>
/// <param name="RegencyCode">The regency.</param>
/// <param name="Nip">The employee.</param>
/// <param name="Period">The month.</param>
/// <param name="PeriodStatus">Open, closing, closed or correcting.</param>
/// <param name="Detail">The evaluation, the policy applied, the merchants and the purchases.</param>
/// <param name="PolicyState">Where the policy applied stands today (in force, ended…).</param>
/// <param name="Adjustments">Every revision of the month's adjustment, oldest first.</param>
/// <param name="CreatedAt">When the statement was made.</param>
public sealed record EmployeeStatement(
    string RegencyCode, string Nip, Period Period, PeriodStatus PeriodStatus, EmployeeEvaluationDetail Detail, QuotaPolicyState PolicyState,
    IReadOnlyList<AdjustmentView> Adjustments, DateTimeOffset CreatedAt)
{
    /// <summary>The office the month counts under.</summary>
    public string OfficeCode => Detail.Evaluation.OfficeCode;

    /// <summary>The revision no later one replaced, or null when the month has no adjustment.</summary>
    public AdjustmentView? InForce => Adjustments.LastOrDefault(a => a.SupersededByKey is null);
}

/// <summary>Makes employee statements from the evaluation and the payroll tables.</summary>
public sealed class EmployeeStatements(HubDbContext db, QuotaEvaluator evaluator, QuotaPolicies policies, TimeProvider time)
{
    /// <summary>
    /// The statement of <paramref name="nip"/> for <paramref name="period"/>; NOT_FOUND when the NIP is not on the roster. An
    /// office-bound caller gets only the statements of employees whose month counts under its office (PERMISSION_DENIED).
    /// </summary>
    public async Task<EmployeeStatement> GetAsync(string regencyCode, string nip, Period period, CallerIdentity caller,
        CancellationToken cancellationToken)
    {
        if (caller.IsOfficeBound)
            caller.RequireOwnOffice(await evaluator.OfficeOfAsync(regencyCode, nip, period, cancellationToken), $"NIP {nip}");
        var detail = await evaluator.EvaluateEmployeeAsync(regencyCode, nip, period, cancellationToken);
        var state = await PeriodClosing.GetAsync(db, regencyCode, period, cancellationToken);
        var adjustments = await AdjustmentReads.OfEmployeeAsync(db, regencyCode, nip, period, cancellationToken);
        var policyStates = await policies.StatesAsync(regencyCode, cancellationToken);
        return new EmployeeStatement(regencyCode, nip, period, state.Status, detail, policyStates(detail.Policy), adjustments, time.GetUtcNow());
    }
}
