using System.Globalization;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain.Quota;

/// <summary>A (grade, amount) row of a kelas jabatan or echelon table, as a caller sent it.</summary>
public readonly record struct GradeAmount(int Grade, long AmountRupiah);

/// <summary>
/// A new policy version as a caller sent it (the <c>QuotaPolicyDraft</c> of the contract), before validation. Enum
/// values are carried as numbers so that unknown ones can be reported, not silently dropped.
/// </summary>
public sealed class QuotaPolicyDraft
{
    /// <summary>"YYYY-MM".</summary>
    public string EffectivePeriod { get; init; } = "";
    /// <summary>The form chosen; null when the caller set none.</summary>
    public RequiredAmountForm? Form { get; init; }
    /// <summary>Kelas jabatan table rows.</summary>
    public IReadOnlyList<GradeAmount> KelasJabatanAmounts { get; init; } = [];
    /// <summary>Echelon table rows (grade = echelon number).</summary>
    public IReadOnlyList<GradeAmount> EchelonAmounts { get; init; } = [];
    /// <summary>TPP share in basis points.</summary>
    public int TppBasisPoints { get; init; }
    /// <summary>TPP floor.</summary>
    public long TppFloorRupiah { get; init; }
    /// <summary>TPP cap, 0 for none.</summary>
    public long TppCapRupiah { get; init; }
    /// <summary>Category numbers; empty for the default.</summary>
    public IReadOnlyList<int> CountedCategories { get; init; } = [];
    /// <summary>Scale numbers; empty for the default.</summary>
    public IReadOnlyList<int> CountedScales { get; init; } = [];
    /// <summary>Merchant cap in basis points.</summary>
    public int MerchantCapBasisPoints { get; init; }
    /// <summary>Proration on or off.</summary>
    public bool ProrationEnabled { get; init; }
    /// <summary>Employment type numbers exempted.</summary>
    public IReadOnlyList<int> ExemptEmploymentTypes { get; init; } = [];
    /// <summary>Whether the sanction message was sent at all.</summary>
    public bool HasSanction { get; init; }
    /// <summary>Sanction kind number.</summary>
    public int SanctionKind { get; init; }
    /// <summary>Sanction basis points.</summary>
    public int SanctionBasisPoints { get; init; }
    /// <summary>Why this version.</summary>
    public string Description { get; init; } = "";

    /// <summary>Longest description accepted.</summary>
    public const int MaxDescriptionLength = 2000;

    /// <summary>
    /// Checks every value and adds a violation (field paths of the contract under <paramref name="prefix"/>) for each bad
    /// one. Returns the policy content when everything is valid (version, regency and author are set by the store),
    /// otherwise null.
    /// </summary>
    public QuotaPolicy? Validate(FieldChecks checks, string prefix, string regencyCode, string createdBy, DateTimeOffset now)
    {
        var before = checks.Violations.Count;
        var period = default(Period);
        if (EffectivePeriod.Length == 0) checks.Add(prefix + "effective_period", "FIELD_REQUIRED", "is required: the first month, YYYY-MM");
        else if (!Period.TryParse(EffectivePeriod, out period))
            checks.Add(prefix + "effective_period", "PERIOD_INVALID", "must be a month as YYYY-MM, e.g. 2025-09");

        var rule = prefix + "required_amount";
        List<long> kelas = [], echelon = [];
        switch (Form)
        {
            case null:
                checks.Add(rule, "FIELD_REQUIRED", "must set one form: kelas_jabatan, tpp_percentage or echelon");
                break;
            case RequiredAmountForm.KelasJabatan:
                kelas = CheckTable(checks, $"{rule}.kelas_jabatan.amounts", "kelas_jabatan", KelasJabatanAmounts, 17,
                    g => g is >= 1 and <= 17, "must be a kelas jabatan from 1 to 17");
                break;
            case RequiredAmountForm.Echelon:
                echelon = CheckTable(checks, $"{rule}.echelon.amounts", "echelon", EchelonAmounts, 9,
                    g => Enum.IsDefined((Echelon)g), "must be a defined echelon (UNSPECIFIED is not one)");
                break;
            case RequiredAmountForm.TppPercentage:
                var p = $"{rule}.tpp_percentage.";
                checks.Check(TppBasisPoints is >= 1 and <= QuotaPolicy.WholeBasisPoints, p + "basis_points", "BASIS_POINTS_OUT_OF_RANGE",
                    "must be 1-10000 (1000 = 10%)");
                CheckAmount(checks, p + "floor_rupiah", TppFloorRupiah);
                if (TppCapRupiah != 0 && CheckAmount(checks, p + "ceiling_rupiah", TppCapRupiah))
                    checks.Check(TppCapRupiah >= TppFloorRupiah, p + "ceiling_rupiah", "CEILING_BELOW_FLOOR",
                        "must be 0 (none) or at least floor_rupiah");
                break;
        }

        var categories = CheckSet(checks, prefix + "counted_categories", CountedCategories, n => Enum.IsDefined((MerchantCategory)n));
        for (var i = 0; i < CountedCategories.Count; i++)
        {
            if (QuotaPolicy.NeverCountedCategories.Contains((MerchantCategory)CountedCategories[i]))
                checks.Add($"{prefix}counted_categories[{i}]", "CATEGORY_NEVER_COUNTS", "modern retail and franchises never count");
        }
        var scales = CheckSet(checks, prefix + "counted_scales", CountedScales, n => Enum.IsDefined((MerchantScale)n));
        var exempt = CheckSet(checks, prefix + "exempt_employment_types", ExemptEmploymentTypes, n => Enum.IsDefined((EmploymentType)n));

        checks.Check(MerchantCapBasisPoints is >= 1 and <= QuotaPolicy.WholeBasisPoints, prefix + "merchant_cap_basis_points",
            "BASIS_POINTS_OUT_OF_RANGE", "must be 1-10000 (5000 = at most half of the required amount at one merchant; 10000 = no cap)");

        var sanction = (SanctionKind)SanctionKind;
        if (!HasSanction) checks.Add(prefix + "sanction", "FIELD_REQUIRED", "is required");
        else if (checks.RequireEnum(sanction, prefix + "sanction.kind"))
        {
            if (sanction == Quota.SanctionKind.DeductPercent)
                checks.Check(SanctionBasisPoints is >= 1 and <= QuotaPolicy.WholeBasisPoints, prefix + "sanction.basis_points",
                    "BASIS_POINTS_OUT_OF_RANGE", "must be 1-10000 for DEDUCT_PERCENT");
            else
                checks.Check(SanctionBasisPoints == 0, prefix + "sanction.basis_points", "FIELD_NOT_APPLICABLE",
                    "must be 0: only DEDUCT_PERCENT takes basis points");
        }
        checks.OptionalText(Description, prefix + "description", MaxDescriptionLength);

        if (checks.Violations.Count != before) return null;
        return new QuotaPolicy
        {
            RegencyCode = regencyCode,
            EffectivePeriodKey = period.Key,
            RequiredAmountForm = Form!.Value,
            KelasJabatanAmounts = kelas,
            EchelonAmounts = echelon,
            TppBasisPoints = Form == RequiredAmountForm.TppPercentage ? TppBasisPoints : 0,
            TppFloorRupiah = Form == RequiredAmountForm.TppPercentage ? TppFloorRupiah : 0,
            TppCapRupiah = Form == RequiredAmountForm.TppPercentage ? TppCapRupiah : 0,
            CountedCategories = categories.Count == 0 ? [.. QuotaPolicy.DefaultCountedCategories] : [.. categories.Select(n => (MerchantCategory)n)],
            CountedScales = scales.Count == 0 ? [.. QuotaPolicy.DefaultCountedScales] : [.. scales.Select(n => (MerchantScale)n)],
            MerchantCapBasisPoints = MerchantCapBasisPoints,
            ProrationEnabled = ProrationEnabled,
            ExemptEmploymentTypes = [.. exempt.Select(n => (EmploymentType)n)],
            SanctionKind = sanction,
            SanctionBasisPoints = SanctionBasisPoints,
            Description = Description,
            CreatedAt = now,
            CreatedBy = createdBy,
        };
    }

    /// <summary>Checks a table with exactly one row per grade 1..<paramref name="grades"/>; returns the amounts by grade.</summary>
    private static List<long> CheckTable(FieldChecks checks, string field, string gradeField, IReadOnlyList<GradeAmount> rows, int grades,
        Func<int, bool> isGrade, string gradeDescription)
    {
        var amounts = new long?[grades];
        for (var i = 0; i < rows.Count; i++)
        {
            var (grade, amount) = rows[i];
            if (grade == 0) checks.Add($"{field}[{i}].{gradeField}", "FIELD_REQUIRED", gradeDescription);
            else if (!isGrade(grade) || grade > grades) checks.Add($"{field}[{i}].{gradeField}", "GRADE_OUT_OF_RANGE", gradeDescription);
            else if (amounts[grade - 1] is not null) checks.Add($"{field}[{i}].{gradeField}", "GRADE_DUPLICATE", $"{grade} appears more than once");
            else amounts[grade - 1] = amount;
            CheckAmount(checks, $"{field}[{i}].amount_rupiah", amount);
        }
        var missing = Enumerable.Range(1, grades).Where(g => amounts[g - 1] is null).ToList();
        if (missing.Count > 0)
            checks.Add(field, "GRADE_MISSING", $"must name every {gradeField} 1-{grades} exactly once; missing: {string.Join(", ", missing)}");
        return [.. amounts.Select(a => a ?? 0)];
    }

    private static bool CheckAmount(FieldChecks checks, string field, long amount) =>
        checks.Check(amount is >= 0 and <= QuotaPolicy.MaxAmountRupiah, field, "AMOUNT_OUT_OF_RANGE",
            string.Create(CultureInfo.InvariantCulture, $"must be 0-{QuotaPolicy.MaxAmountRupiah:N0} rupiah"));

    /// <summary>Checks a list of enum numbers: each defined and not UNSPECIFIED, none twice. Returns the distinct valid ones.</summary>
    private static List<int> CheckSet(FieldChecks checks, string field, IReadOnlyList<int> values, Func<int, bool> isDefined)
    {
        var seen = new List<int>();
        for (var i = 0; i < values.Count; i++)
        {
            var n = values[i];
            if (n == 0) checks.Add($"{field}[{i}]", "FIELD_REQUIRED", "UNSPECIFIED is not a value");
            else if (!isDefined(n)) checks.Add($"{field}[{i}]", "ENUM_VALUE_UNKNOWN", $"{n} is not a known value");
            else if (seen.Contains(n)) checks.Add($"{field}[{i}]", "VALUE_DUPLICATE", $"{n} appears more than once");
            else seen.Add(n);
        }
        return seen;
    }
}
