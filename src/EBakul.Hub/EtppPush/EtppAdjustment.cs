using System.Text.Json.Serialization;
using EBakul.Hub.Domain;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// One payroll adjustment as e-TPP receives it (the body of <c>POST /api/v1/tpp-adjustments</c>, see
/// docs/etpp-push-contract.md). Money is whole rupiah.
/// </summary>
/// <param name="Key">Idempotency key <c>{regency_code}:{nip}:{period}:r{revision}</c>; build it with <see cref="KeyOf"/>.</param>
/// <param name="RegencyCode">Kode wilayah of the regency, e.g. <c>35.22</c>.</param>
/// <param name="Nip">The employee's 18-digit NIP.</param>
/// <param name="OfficeCode">The employee's office (OPD) code.</param>
/// <param name="Period">The month corrected, <c>YYYY-MM</c>.</param>
/// <param name="Revision">1 for the first adjustment of the employee and month, then 2, 3, ... for each correction of it.</param>
/// <param name="PolicyVersion">Version of the quota policy the amounts were computed under.</param>
/// <param name="RequiredRupiah">Minimum spend required for the month.</param>
/// <param name="CountedRupiah">Spend that counted toward it.</param>
/// <param name="ShortfallRupiah"><c>max(0, required − counted)</c>.</param>
/// <param name="Sanction">The policy's sanction rule.</param>
/// <param name="TppCorrectionRupiah">What e-TPP deducts from the TPP (for <see cref="EtppSanction.Withhold"/>, the TPP withheld).</param>
/// <param name="SupersedesKey">Key of the earlier revision this one replaces; null for revision 1.</param>
/// <param name="TppCeilingRupiah">
/// The employee's TPP for the month, which no correction exceeds: for <see cref="EtppSanction.DeductShortfall"/> the
/// correction is <c>min(shortfall, tpp_ceiling)</c>, so it differs from the shortfall when the shortfall is larger.
/// </param>
public sealed record EtppAdjustment(
    string Key,
    string RegencyCode,
    string Nip,
    string OfficeCode,
    string Period,
    int Revision,
    int PolicyVersion,
    long RequiredRupiah,
    long CountedRupiah,
    long ShortfallRupiah,
    EtppSanction Sanction,
    long TppCorrectionRupiah,
    string? SupersedesKey,
    long TppCeilingRupiah)
{
    /// <summary>The idempotency key of an employee's adjustment for a month, e.g. <c>35.22:198503152010011001:2025-09:r1</c>.</summary>
    public static string KeyOf(string regencyCode, string nip, Period period, int revision) => $"{regencyCode}:{nip}:{period}:r{revision}";
}

/// <summary>How e-TPP corrects the TPP of an employee who spent too little (wire names in capitals).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EtppSanction>))]
public enum EtppSanction
{
    /// <summary>Deduct the shortfall from the TPP (<c>DEDUCT_SHORTFALL</c>).</summary>
    [JsonStringEnumMemberName("DEDUCT_SHORTFALL")]
    DeductShortfall,

    /// <summary>Deduct a percentage of the TPP (<c>DEDUCT_PERCENT</c>).</summary>
    [JsonStringEnumMemberName("DEDUCT_PERCENT")]
    DeductPercent,

    /// <summary>Withhold the TPP (<c>WITHHOLD</c>).</summary>
    [JsonStringEnumMemberName("WITHHOLD")]
    Withhold,
}
