using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Quota;

/// <summary>An employee's standing for a month. Numbers match <c>ebakul.quota.v1.QuotaOutcome</c>.</summary>
public enum QuotaOutcome
{
    /// <summary>Counted at least the required amount (exactly the minimum is compliant).</summary>
    Compliant = 1,
    /// <summary>Counted less than the required amount.</summary>
    NonCompliant = 2,
    /// <summary>Not obliged this month.</summary>
    Exempt = 3,
    /// <summary>No TPP this month (ceiling 0): no e-Bakul obligation, no correction; outside the compliance figures.</summary>
    NoTpp = 4,
}

/// <summary>Why an employee is not obliged for a month. Numbers match <c>ebakul.quota.v1.ExemptionKind</c>.</summary>
public enum ExemptionKind
{
    /// <summary>Exempted explicitly for the month (<see cref="QuotaExemption"/>).</summary>
    Granted = 1,
    /// <summary>Not ACTIVE on any day of the month.</summary>
    NotActive = 2,
    /// <summary>The employment type is exempted by the policy.</summary>
    EmploymentType = 3,
}

/// <summary>The exemption that applies to an employee for a month, with a human-readable reason.</summary>
public sealed record AppliedExemption(ExemptionKind Kind, string Reason);

/// <summary>
/// One employee's result for a month: what the policy requires, what counts, and what the sanction would be if the month
/// closed now. This is what a period close turns into a payroll adjustment.
/// </summary>
/// <param name="Nip">The employee.</param>
/// <param name="OfficeCode">The employee's office (OPD).</param>
/// <param name="Period">The month.</param>
/// <param name="PolicyVersion">The policy version applied.</param>
/// <param name="Outcome">Compliant, non-compliant or exempt.</param>
/// <param name="RequiredRupiah">Owed for the month after proration; 0 when exempt.</param>
/// <param name="CountedRupiah">Eligible purchases after the per-merchant cap.</param>
/// <param name="RemainingRupiah">max(0, required − counted): the shortfall.</param>
/// <param name="Exemption">Set when exempt.</param>
/// <param name="SanctionKind">The policy's sanction.</param>
/// <param name="ProjectedCorrectionRupiah">The TPP correction if the month closed now; 0 unless non-compliant.</param>
/// <param name="FullMonthRequiredRupiah">The policy's amount for a full month, before proration and exemption.</param>
/// <param name="ActiveDays">Days of the month the employee was ACTIVE.</param>
/// <param name="DaysInPeriod">Days in the month.</param>
/// <param name="MerchantCapRupiah">The most that counts at one merchant; null when nothing is required (no cap).</param>
/// <param name="TppCeilingRupiah">The employee's TPP ceiling the sanction is computed on.</param>
public sealed record EmployeeEvaluation(
    string Nip,
    string OfficeCode,
    Period Period,
    int PolicyVersion,
    QuotaOutcome Outcome,
    long RequiredRupiah,
    long CountedRupiah,
    long RemainingRupiah,
    AppliedExemption? Exemption,
    SanctionKind SanctionKind,
    long ProjectedCorrectionRupiah,
    long FullMonthRequiredRupiah,
    int ActiveDays,
    int DaysInPeriod,
    long? MerchantCapRupiah,
    long TppCeilingRupiah)
{
    /// <summary>Whether the employee met the quota (exempt employees are neither compliant nor non-compliant).</summary>
    public bool Compliant => Outcome == QuotaOutcome.Compliant;

    /// <summary>Whether the employee is obliged this month.</summary>
    public bool Obliged => Outcome != QuotaOutcome.Exempt;
}

/// <summary>Why a purchase did not (fully) count. Numbers match <c>ebakul.quota.v1.UncountedReason</c>.</summary>
public enum UncountedReason
{
    /// <summary>Voided by a reversal.</summary>
    Voided = 1,
    /// <summary>The merchant was pending verification or suspended when the purchase happened.</summary>
    MerchantNotActiveAtTime = 2,
    /// <summary>The merchant's category does not count under the policy.</summary>
    CategoryExcluded = 3,
    /// <summary>The merchant's scale does not count under the policy.</summary>
    ScaleExcluded = 4,
    /// <summary>The per-merchant cap was reached (possibly part of the purchase still counted).</summary>
    OverMerchantCap = 5,
}

/// <summary>An employee's purchases at one merchant in a month.</summary>
/// <param name="MerchantId">The merchant.</param>
/// <param name="MerchantName">Its name.</param>
/// <param name="SpentRupiah">Purchases that stand (voided ones excluded).</param>
/// <param name="EligibleRupiah">The part at an active merchant of a counted category and scale.</param>
/// <param name="CountedRupiah">The eligible part up to the merchant cap.</param>
public sealed record MerchantBreakdown(string MerchantId, string MerchantName, long SpentRupiah, long EligibleRupiah, long CountedRupiah)
{
    /// <summary>Eligible but cut by the cap.</summary>
    public long CappedRupiah => EligibleRupiah - CountedRupiah;
}

/// <summary>A purchase that did not count in full, and why.</summary>
/// <param name="PurchaseId">The ledger entry.</param>
/// <param name="MerchantId">The merchant.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="AmountRupiah">Its amount.</param>
/// <param name="CountedRupiah">How much still counted (only a purchase over the cap can count in part).</param>
/// <param name="Reason">Why.</param>
/// <param name="Explanation">Human-readable explanation.</param>
/// <param name="ReceiptReference">Its nota number or QRIS reference.</param>
public sealed record UncountedPurchase(
    string PurchaseId, string MerchantId, DateTimeOffset OccurredAt, long AmountRupiah, long CountedRupiah,
    UncountedReason Reason, string Explanation, string ReceiptReference);

/// <summary>A purchase of the month and how much of it counted.</summary>
/// <param name="PurchaseId">The ledger entry.</param>
/// <param name="MerchantId">The merchant.</param>
/// <param name="MerchantName">The merchant's name.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="AmountRupiah">Its amount.</param>
/// <param name="CountedRupiah">How much of it counted.</param>
/// <param name="Reason">Why it did not count in full; null when it did.</param>
/// <param name="Explanation">The reason in words; empty when it counted in full.</param>
/// <param name="ReceiptReference">Its nota number or QRIS reference.</param>
/// <param name="Category">The merchant's category.</param>
/// <param name="Scale">The merchant's scale.</param>
/// <param name="MerchantActiveAtTime">Whether the merchant was verified and active when the purchase happened.</param>
/// <param name="Voided">Whether a reversal voided it.</param>
public sealed record PurchaseCount(
    string PurchaseId, string MerchantId, string MerchantName, DateTimeOffset OccurredAt, long AmountRupiah, long CountedRupiah,
    UncountedReason? Reason, string Explanation, string ReceiptReference, MerchantCategory Category, MerchantScale Scale,
    bool MerchantActiveAtTime, bool Voided);

/// <summary>An employee's result with everything that explains it.</summary>
/// <param name="Evaluation">The result.</param>
/// <param name="Policy">The policy version applied.</param>
/// <param name="Merchants">Per merchant, by merchant id.</param>
/// <param name="Purchases">Every purchase of the month, in occurrence order, with what counted.</param>
public sealed record EmployeeEvaluationDetail(
    EmployeeEvaluation Evaluation, QuotaPolicy Policy, IReadOnlyList<MerchantBreakdown> Merchants, IReadOnlyList<PurchaseCount> Purchases)
{
    /// <summary>Every purchase that did not count in full, in occurrence order.</summary>
    public IReadOnlyList<UncountedPurchase> UncountedPurchases { get; } =
    [
        .. Purchases.Where(p => p.Reason is not null).Select(p => new UncountedPurchase(
            p.PurchaseId, p.MerchantId, p.OccurredAt, p.AmountRupiah, p.CountedRupiah, p.Reason!.Value, p.Explanation, p.ReceiptReference)),
    ];
}

/// <summary>What the evaluation needs to know of an employee, as read from the roster.</summary>
internal sealed record EmployeeFacts(
    string Nip, string OfficeCode, int KelasJabatan, EmploymentType EmploymentType, Echelon Echelon, long TppCeilingRupiah,
    EmployeeStatus Status, DateOnly StatusEffectiveDate, string? GrantedExemptionReason);

/// <summary>
/// The obligation of one employee for one month under one policy version: the single place where the policy's numbers
/// meet the employee's facts. Both the regency-wide evaluation and the one-employee detail go through it, so they
/// always agree.
/// </summary>
internal sealed class EmployeeObligation
{
    private readonly QuotaPolicy _policy;
    private readonly EmployeeFacts _employee;
    private readonly Period _period;

    public EmployeeObligation(QuotaPolicy policy, EmployeeFacts employee, Period period, EmploymentDays days)
    {
        _policy = policy;
        _employee = employee;
        _period = period;
        Days = days;
        FullMonthRequired = policy.FullMonthRequired(employee.KelasJabatan, employee.Echelon, employee.TppCeilingRupiah);
        Exemption = employee.GrantedExemptionReason is { } granted ? new AppliedExemption(ExemptionKind.Granted, granted)
            : days.Active == 0 ? new AppliedExemption(ExemptionKind.NotActive, days.DescribeNotActive(period))
            : policy.ExemptEmploymentTypes.Contains(employee.EmploymentType)
                ? new AppliedExemption(ExemptionKind.EmploymentType,
                    $"employment type {EnumNames.UpperSnake(employee.EmploymentType)} is exempted by policy version {policy.Version}")
            : null;
        HasTpp = employee.TppCeilingRupiah > 0;
        Required = Exemption is null && HasTpp ? policy.Prorate(FullMonthRequired, days.Active, period.DayCount) : 0;
        MerchantCap = policy.MerchantCap(Required);
    }

    /// <summary>The employee's days in the month.</summary>
    public EmploymentDays Days { get; }

    /// <summary>The policy's full-month amount for the employee.</summary>
    public long FullMonthRequired { get; }

    /// <summary>The exemption that applies, if any.</summary>
    public AppliedExemption? Exemption { get; }

    /// <summary>
    /// Whether the employee has a TPP this month. No TPP, no obligation: the e-Bakul rule spends part of the TPP, and a
    /// correction of nothing is no sanction (docs/quota-policy.md).
    /// </summary>
    public bool HasTpp { get; }

    /// <summary>Owed for the month (0 when exempt or without TPP).</summary>
    public long Required { get; }

    /// <summary>The most that counts at one merchant; null for no cap.</summary>
    public long? MerchantCap { get; }

    /// <summary>How much of <paramref name="eligibleRupiah"/> at one merchant counts.</summary>
    public long CountAtMerchant(long eligibleRupiah)
    {
        var eligible = Math.Max(0, eligibleRupiah);
        return MerchantCap is { } cap ? Math.Min(eligible, cap) : eligible;
    }

    /// <summary>The result once the counted total is known.</summary>
    public EmployeeEvaluation Conclude(long counted)
    {
        var remaining = Math.Max(0, Required - counted);
        var outcome = Exemption is not null ? QuotaOutcome.Exempt
            : !HasTpp ? QuotaOutcome.NoTpp
            : counted >= Required ? QuotaOutcome.Compliant
            : QuotaOutcome.NonCompliant;
        var correction = outcome == QuotaOutcome.NonCompliant ? _policy.Correction(remaining, _employee.TppCeilingRupiah) : 0;
        return new EmployeeEvaluation(
            _employee.Nip, _employee.OfficeCode, _period, _policy.Version, outcome, Required, counted, remaining, Exemption,
            _policy.SanctionKind, correction, FullMonthRequired, Days.Active, _period.DayCount, MerchantCap, _employee.TppCeilingRupiah);
    }
}

/// <summary>Names of domain enum values as the contract spells them (<c>OnLeave</c> → <c>ON_LEAVE</c>).</summary>
internal static class EnumNames
{
    public static string UpperSnake<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Data.HubDbContext.ToSnakeCase(value.ToString()).ToUpperInvariant();
}
