using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EBakul.EtppSimulator;

/// <summary>A payroll adjustment e-TPP accepted as well formed (fields as in docs/etpp-push-contract.md).</summary>
/// <param name="Key">Idempotency key <c>{regency_code}:{nip}:{period}:r{revision}</c>.</param>
/// <param name="RegencyCode">Kode wilayah of the regency, e.g. <c>35.22</c>.</param>
/// <param name="Nip">The employee's 18-digit NIP.</param>
/// <param name="OfficeCode">The employee's office (OPD) code.</param>
/// <param name="Period">The month corrected, <c>YYYY-MM</c>.</param>
/// <param name="Revision">1 for the first adjustment of the employee and month, then 2, 3, ...</param>
/// <param name="PolicyVersion">Version of the quota policy the amounts come from.</param>
/// <param name="RequiredRupiah">Minimum spend required.</param>
/// <param name="CountedRupiah">Spend that counted.</param>
/// <param name="ShortfallRupiah"><c>max(0, required − counted)</c>.</param>
/// <param name="Sanction"><c>DEDUCT_SHORTFALL</c>, <c>DEDUCT_PERCENT</c> or <c>WITHHOLD</c>.</param>
/// <param name="TppCorrectionRupiah">Whole rupiah deducted from the TPP (withheld, for <c>WITHHOLD</c>).</param>
/// <param name="SupersedesKey">Key of the earlier revision this one replaces; null for revision 1.</param>
/// <param name="TppCeilingRupiah">
/// The employee's TPP for the month: no correction exceeds it. Null for a body of the first contract, which did not carry
/// it (its <c>DEDUCT_SHORTFALL</c> correction then equals the shortfall).
/// </param>
public sealed partial record TppAdjustment(
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
    string Sanction,
    long TppCorrectionRupiah,
    string? SupersedesKey,
    long? TppCeilingRupiah)
{
    /// <summary>The sanctions e-TPP knows.</summary>
    public static readonly string[] Sanctions = ["DEDUCT_SHORTFALL", "DEDUCT_PERCENT", "WITHHOLD"];

    /// <summary>The key an adjustment with these fields must carry.</summary>
    public static string KeyOf(string regencyCode, string nip, string period, int revision) => $"{regencyCode}:{nip}:{period}:r{revision}";

    /// <summary>The same employee and month, whatever the revision.</summary>
    [JsonIgnore]
    public (string RegencyCode, string Nip, string Period) Subject => (RegencyCode, Nip, Period);

    /// <summary>Checks a received body; returns the adjustment, or null with every problem added to <paramref name="problems"/>.</summary>
    public static TppAdjustment? FromBody(TppAdjustmentBody body, List<string> problems)
    {
        void Require(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        Require(body.Key is { Length: > 0 }, "key is required");
        Require(body.RegencyCode is not null && RegencyCodePattern().IsMatch(body.RegencyCode), "regency_code must look like 35.22");
        Require(body.Nip is not null && NipPattern().IsMatch(body.Nip), "nip must be exactly 18 digits");
        Require(body.OfficeCode is { Length: > 0 and <= 64 } && !string.IsNullOrWhiteSpace(body.OfficeCode), "office_code is required (at most 64 characters)");
        Require(body.Period is not null && PeriodPattern().IsMatch(body.Period), "period must be YYYY-MM");
        Require(body.Revision is >= 1, "revision must be 1 or more");
        Require(body.PolicyVersion is >= 1, "policy_version must be 1 or more");
        Require(body.RequiredRupiah is >= 0, "required_rupiah must be a whole number of rupiah, 0 or more");
        Require(body.CountedRupiah is >= 0, "counted_rupiah must be a whole number of rupiah, 0 or more");
        Require(body.ShortfallRupiah is >= 0, "shortfall_rupiah must be a whole number of rupiah, 0 or more");
        Require(body.TppCorrectionRupiah is >= 0, "tpp_correction_rupiah must be a whole number of rupiah, 0 or more");
        Require(body.TppCeilingRupiah is null or >= 0, "tpp_ceiling_rupiah must be a whole number of rupiah, 0 or more");
        Require(body.Sanction is not null && Sanctions.Contains(body.Sanction), $"sanction must be one of {string.Join(", ", Sanctions)}");
        if (problems.Count > 0) return null;

        var adjustment = new TppAdjustment(body.Key!, body.RegencyCode!, body.Nip!, body.OfficeCode!, body.Period!, body.Revision!.Value,
            body.PolicyVersion!.Value, body.RequiredRupiah!.Value, body.CountedRupiah!.Value, body.ShortfallRupiah!.Value, body.Sanction!,
            body.TppCorrectionRupiah!.Value, body.SupersedesKey, body.TppCeilingRupiah);

        var expectedKey = KeyOf(adjustment.RegencyCode, adjustment.Nip, adjustment.Period, adjustment.Revision);
        Require(adjustment.Key == expectedKey, $"key must be {expectedKey}, derived from regency_code, nip, period and revision");
        Require(adjustment.ShortfallRupiah == Math.Max(0, adjustment.RequiredRupiah - adjustment.CountedRupiah),
            "shortfall_rupiah must equal max(0, required_rupiah - counted_rupiah)");
        // One rule with the hub: a deduction never exceeds what the employee is paid. A body without tpp_ceiling_rupiah
        // (sent under the first contract) is held to that contract's rule: the correction equals the shortfall.
        if (adjustment.TppCeilingRupiah is { } ceiling)
        {
            Require(adjustment.TppCorrectionRupiah <= ceiling, "tpp_correction_rupiah must not exceed tpp_ceiling_rupiah");
            Require(adjustment.Sanction != "DEDUCT_SHORTFALL" || adjustment.TppCorrectionRupiah == Math.Min(adjustment.ShortfallRupiah, ceiling),
                "tpp_correction_rupiah must equal min(shortfall_rupiah, tpp_ceiling_rupiah) for DEDUCT_SHORTFALL");
        }
        else
        {
            Require(adjustment.Sanction != "DEDUCT_SHORTFALL" || adjustment.TppCorrectionRupiah == adjustment.ShortfallRupiah,
                "tpp_correction_rupiah must equal shortfall_rupiah for DEDUCT_SHORTFALL when tpp_ceiling_rupiah is absent");
        }
        if (adjustment.Revision == 1)
        {
            Require(adjustment.SupersedesKey is null, "supersedes_key must be null for revision 1");
        }
        else
        {
            var earlier = adjustment.SupersedesKey is { } s ? EarlierRevision(s, adjustment) : null;
            Require(earlier is not null,
                $"supersedes_key must be the key of an earlier revision, {KeyOf(adjustment.RegencyCode, adjustment.Nip, adjustment.Period, 1)} up to r{adjustment.Revision - 1}");
        }
        return problems.Count > 0 ? null : adjustment;
    }

    private static int? EarlierRevision(string supersedesKey, TppAdjustment adjustment)
    {
        var prefix = $"{adjustment.RegencyCode}:{adjustment.Nip}:{adjustment.Period}:r";
        if (!supersedesKey.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var digits = supersedesKey.AsSpan(prefix.Length);
        if (digits.Length is 0 or > 9 || digits[0] == '0' || digits.ContainsAnyExceptInRange('0', '9')) return null;
        var revision = int.Parse(digits);
        return revision < adjustment.Revision ? revision : null;
    }

    [GeneratedRegex("^[0-9]{2}\\.[0-9]{2}$")]
    private static partial Regex RegencyCodePattern();

    [GeneratedRegex("^[0-9]{18}$")]
    private static partial Regex NipPattern();

    [GeneratedRegex("^[0-9]{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex PeriodPattern();
}

/// <summary>An adjustment as it arrives on the wire: every field optional so that each missing one can be reported.</summary>
public sealed class TppAdjustmentBody
{
    /// <summary>See <see cref="TppAdjustment.Key"/>.</summary>
    public string? Key { get; set; }

    /// <summary>See <see cref="TppAdjustment.RegencyCode"/>.</summary>
    public string? RegencyCode { get; set; }

    /// <summary>See <see cref="TppAdjustment.Nip"/>.</summary>
    public string? Nip { get; set; }

    /// <summary>See <see cref="TppAdjustment.OfficeCode"/>.</summary>
    public string? OfficeCode { get; set; }

    /// <summary>See <see cref="TppAdjustment.Period"/>.</summary>
    public string? Period { get; set; }

    /// <summary>See <see cref="TppAdjustment.Revision"/>.</summary>
    public int? Revision { get; set; }

    /// <summary>See <see cref="TppAdjustment.PolicyVersion"/>.</summary>
    public int? PolicyVersion { get; set; }

    /// <summary>See <see cref="TppAdjustment.RequiredRupiah"/>.</summary>
    public long? RequiredRupiah { get; set; }

    /// <summary>See <see cref="TppAdjustment.CountedRupiah"/>.</summary>
    public long? CountedRupiah { get; set; }

    /// <summary>See <see cref="TppAdjustment.ShortfallRupiah"/>.</summary>
    public long? ShortfallRupiah { get; set; }

    /// <summary>See <see cref="TppAdjustment.Sanction"/>.</summary>
    public string? Sanction { get; set; }

    /// <summary>See <see cref="TppAdjustment.TppCorrectionRupiah"/>.</summary>
    public long? TppCorrectionRupiah { get; set; }

    /// <summary>See <see cref="TppAdjustment.SupersedesKey"/>.</summary>
    public string? SupersedesKey { get; set; }

    /// <summary>See <see cref="TppAdjustment.TppCeilingRupiah"/>.</summary>
    public long? TppCeilingRupiah { get; set; }
}
