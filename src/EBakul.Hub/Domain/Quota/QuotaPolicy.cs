using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Quota;

/// <summary>How a policy sets the monthly minimum. Numbers match the <c>rule</c> oneof of <c>ebakul.quota.v1.RequiredAmountRule</c>.</summary>
public enum RequiredAmountForm
{
    /// <summary>A fixed amount per kelas jabatan 1-17.</summary>
    KelasJabatan = 1,
    /// <summary>A share of the employee's TPP ceiling in basis points, with a floor and an optional ceiling.</summary>
    TppPercentage = 2,
    /// <summary>A fixed amount per echelon, NON_STRUCTURAL included.</summary>
    Echelon = 3,
}

/// <summary>What happens to a non-compliant employee's TPP. Numbers match <c>ebakul.quota.v1.SanctionKind</c>.</summary>
public enum SanctionKind
{
    /// <summary>The TPP is reduced by the shortfall.</summary>
    DeductShortfall = 1,
    /// <summary>The TPP is reduced by basis points of the TPP ceiling, rounded down.</summary>
    DeductPercent = 2,
    /// <summary>The whole TPP (the ceiling) is withheld.</summary>
    Withhold = 3,
}

/// <summary>
/// One version of a regency's quota policy (table <c>quota_policies</c>, key regency + version). The policy is
/// data: every number the evaluation uses comes from here, and this class holds the arithmetic that turns
/// those numbers into an employee's obligation and sanction, all in whole rupiah with integer arithmetic.
/// <para>
/// A version applies from <see cref="EffectivePeriodKey"/> until the next version's effective month. A version
/// replaced before it took effect (<see cref="ReplacedByVersion"/>) never applies.
/// </para>
/// </summary>
public sealed class QuotaPolicy
{
    /// <summary>Basis points in a whole (100%).</summary>
    public const int WholeBasisPoints = 10_000;

    /// <summary>The largest amount a policy may name, in rupiah.</summary>
    public const long MaxAmountRupiah = 100_000_000;

    /// <summary>The merchant categories that count when a policy does not list them: all but modern retail and franchise.</summary>
    public static readonly IReadOnlyList<MerchantCategory> DefaultCountedCategories =
        [MerchantCategory.FoodAndDrink, MerchantCategory.Services, MerchantCategory.DailyNeeds, MerchantCategory.IkmProduct, MerchantCategory.Craft];

    /// <summary>The merchant scales that count when a policy does not list them: ultra-micro and micro.</summary>
    public static readonly IReadOnlyList<MerchantScale> DefaultCountedScales = [MerchantScale.UltraMicro, MerchantScale.Micro];

    /// <summary>Categories that never count, whatever a policy says.</summary>
    public static readonly IReadOnlyList<MerchantCategory> NeverCountedCategories = [MerchantCategory.ModernRetail, MerchantCategory.Franchise];

    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Version number, from 1 per regency.</summary>
    public int Version { get; set; }
    /// <summary><see cref="Period.Key"/> of the first month the version applies to.</summary>
    public int EffectivePeriodKey { get; init; }
    /// <summary>How the monthly minimum is set.</summary>
    public RequiredAmountForm RequiredAmountForm { get; init; }
    /// <summary>For <see cref="RequiredAmountForm.KelasJabatan"/>: 17 amounts, index 0 for kelas jabatan 1; otherwise empty.</summary>
    public List<long> KelasJabatanAmounts { get; init; } = [];
    /// <summary>For <see cref="RequiredAmountForm.Echelon"/>: 9 amounts, index 0 for echelon number 1 (NON_STRUCTURAL); otherwise empty.</summary>
    public List<long> EchelonAmounts { get; init; } = [];
    /// <summary>For <see cref="RequiredAmountForm.TppPercentage"/>: the share of the TPP ceiling, 1-10000 basis points.</summary>
    public int TppBasisPoints { get; init; }
    /// <summary>For <see cref="RequiredAmountForm.TppPercentage"/>: the lower bound in rupiah.</summary>
    public long TppFloorRupiah { get; init; }
    /// <summary>For <see cref="RequiredAmountForm.TppPercentage"/>: the upper bound in rupiah, 0 for none.</summary>
    public long TppCapRupiah { get; init; }
    /// <summary>Merchant categories whose purchases count.</summary>
    public List<MerchantCategory> CountedCategories { get; init; } = [];
    /// <summary>Merchant scales whose purchases count.</summary>
    public List<MerchantScale> CountedScales { get; init; } = [];
    /// <summary>At most this share of the required amount counts at one merchant, 1-10000 basis points.</summary>
    public int MerchantCapBasisPoints { get; init; }
    /// <summary>Whether the required amount is prorated by the days the employee was active.</summary>
    public bool ProrationEnabled { get; init; }
    /// <summary>Employment types exempted from the quota.</summary>
    public List<EmploymentType> ExemptEmploymentTypes { get; init; } = [];
    /// <summary>The sanction for a non-compliant employee.</summary>
    public SanctionKind SanctionKind { get; init; }
    /// <summary>For <see cref="SanctionKind.DeductPercent"/>: basis points of the TPP ceiling deducted; otherwise 0.</summary>
    public int SanctionBasisPoints { get; init; }
    /// <summary>Why this version (e.g. the regulation it implements).</summary>
    public string Description { get; init; } = "";
    /// <summary>The version that replaced this one before it took effect; null if none.</summary>
    public int? ReplacedByVersion { get; set; }
    /// <summary>When the version was set.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The calling system that set it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The first month the version applies to.</summary>
    public Period EffectivePeriod => Period.FromKey(EffectivePeriodKey);

    /// <summary>
    /// The minimum of a full month for an employee, before proration:
    /// <list type="bullet">
    /// <item>kelas jabatan: the table's amount for the employee's class;</item>
    /// <item>TPP percentage: <c>max(floor, ceil(tpp × bps / 10000))</c>, then at most the cap when one is set;</item>
    /// <item>echelon: the table's amount for the employee's echelon.</item>
    /// </list>
    /// </summary>
    public long FullMonthRequired(int kelasJabatan, Echelon echelon, long tppCeilingRupiah) => RequiredAmountForm switch
    {
        RequiredAmountForm.KelasJabatan => kelasJabatan is >= 1 and <= 17
            ? KelasJabatanAmounts[kelasJabatan - 1]
            : throw new InvalidOperationException($"kelas jabatan {kelasJabatan} is outside 1-17"),
        RequiredAmountForm.TppPercentage => PercentageOfTpp(tppCeilingRupiah),
        RequiredAmountForm.Echelon => (int)echelon is >= 1 and <= 9
            ? EchelonAmounts[(int)echelon - 1]
            : throw new InvalidOperationException($"echelon {(int)echelon} is not a known echelon"),
        _ => throw new InvalidOperationException($"required amount form {RequiredAmountForm} is not known"),
    };

    /// <summary>
    /// The minimum for an employee active <paramref name="activeDays"/> of <paramref name="daysInPeriod"/> days:
    /// with proration <c>ceil(full × activeDays / daysInPeriod)</c>, otherwise the full amount.
    /// </summary>
    public long Prorate(long fullMonthRequired, int activeDays, int daysInPeriod) =>
        !ProrationEnabled || activeDays >= daysInPeriod
            ? fullMonthRequired
            : (long)CeilingDivide((Int128)fullMonthRequired * activeDays, daysInPeriod);

    /// <summary>
    /// The most that counts at one merchant: <c>ceil(required × cap bps / 10000)</c>, rounded up in the employee's favour
    /// (Rp300,001 at 50% is Rp150,001, so two merchants can still meet it); null (no cap) when nothing is required.
    /// </summary>
    public long? MerchantCap(long required) =>
        required <= 0 ? null : (long)CeilingDivide((Int128)required * MerchantCapBasisPoints, WholeBasisPoints);

    /// <summary>
    /// The TPP correction for a non-compliant employee: the shortfall (DEDUCT_SHORTFALL), basis points of the TPP ceiling
    /// rounded down in the employee's favour (DEDUCT_PERCENT) or the whole ceiling (WITHHOLD). A correction never exceeds the TPP ceiling: the
    /// sanction reduces the allowance and cannot take more than all of it.
    /// </summary>
    public long Correction(long shortfallRupiah, long tppCeilingRupiah)
    {
        var ceiling = Math.Max(0, tppCeilingRupiah);
        return SanctionKind switch
        {
            SanctionKind.DeductShortfall => Math.Min(shortfallRupiah, ceiling),
            SanctionKind.DeductPercent => (long)((Int128)ceiling * SanctionBasisPoints / WholeBasisPoints),
            SanctionKind.Withhold => ceiling,
            _ => throw new InvalidOperationException($"sanction {SanctionKind} is not known"),
        };
    }

    /// <summary>Whether purchases at a merchant of this category and scale count.</summary>
    public bool Counts(MerchantCategory category, MerchantScale scale) =>
        CountedCategories.Contains(category) && CountedScales.Contains(scale);

    private long PercentageOfTpp(long tppCeilingRupiah)
    {
        var share = (long)CeilingDivide((Int128)Math.Max(0, tppCeilingRupiah) * TppBasisPoints, WholeBasisPoints);
        var required = Math.Max(TppFloorRupiah, share);
        return TppCapRupiah > 0 ? Math.Min(required, TppCapRupiah) : required;
    }

    private static Int128 CeilingDivide(Int128 dividend, Int128 divisor) => (dividend + divisor - 1) / divisor;
}
