using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>
/// What makes a merchant acceptable: required and bounded texts, the structure of NIK, NIB and QRIS NMID,
/// known enum values, the program's excluded categories, a kecamatan of the owning regency and a real
/// point on Earth. Every rule adds its violation to a <see cref="FieldChecks"/> so that a caller learns
/// every problem at once. Descriptions never repeat the NIK.
/// </summary>
public static class MerchantRules
{
    /// <summary>How far back a merchant migrated from another system may be registered as eligible (<c>eligible_since</c>).</summary>
    public static readonly TimeSpan MaxEligibleBackdating = TimeSpan.FromDays(366);

    /// <summary>The status reason of a merchant registered as eligible since a moment before its registration.</summary>
    public static string EligibleSinceReason(DateTimeOffset since) =>
        $"eligible since {TimeZoneInfo.ConvertTime(since, Period.Jakarta):yyyy-MM-dd HH:mm} WIB (verified in the system it was migrated from)";

    /// <summary>
    /// Checks an <c>eligible_since</c>: not in the future and at most <see cref="MaxEligibleBackdating"/> back
    /// (<c>ELIGIBLE_SINCE_OUT_OF_RANGE</c>).
    /// </summary>
    public static void CheckEligibleSince(DateTimeOffset? since, DateTimeOffset now, FieldChecks checks, string field = "eligible_since")
    {
        if (since is not { } value) return;
        checks.Check(value <= now && value >= now - MaxEligibleBackdating, field, "ELIGIBLE_SINCE_OUT_OF_RANGE",
            $"must lie between {MaxEligibleBackdating.TotalDays:0} days ago and now");
    }

    /// <summary>Longest business or owner name.</summary>
    public const int MaxNameLength = 200;
    /// <summary>Longest street address.</summary>
    public const int MaxAddressLength = 500;
    /// <summary>Longest reason of a status change.</summary>
    public const int MaxReasonLength = 500;
    /// <summary>Longest merchant id accepted in a request.</summary>
    public const int MaxMerchantIdLength = 64;

    /// <summary>Reason of a category the program excludes.</summary>
    public const string CategoryExcluded = "CATEGORY_EXCLUDED";
    /// <summary>Reason of a kecamatan outside the owning regency.</summary>
    public const string KecamatanNotInRegency = "KECAMATAN_NOT_IN_REGENCY";

    /// <summary>
    /// Checks a draft. Field paths are <paramref name="prefix"/> + the draft field (e.g. <c>merchant.nib</c>,
    /// or <c>nib</c> for an import row). <paramref name="fields"/> limits the checks to those draft fields
    /// (an update mask); null checks all. The kecamatan is checked against the regency only when the hub
    /// serves that regency: an unknown regency is reported as NOT_FOUND after the field checks.
    /// </summary>
    public static void CheckDraft(MerchantDraft draft, string regencyCode, RegencyDirectory directory, FieldChecks checks,
        string prefix, IReadOnlySet<string>? fields = null)
    {
        bool Has(string field) => fields is null || fields.Contains(field);

        if (Has(MerchantDraft.Fields.Name))
            checks.RequireText(draft.Name, prefix + MerchantDraft.Fields.Name, MaxNameLength);
        if (Has(MerchantDraft.Fields.OwnerName))
            checks.RequireText(draft.OwnerName, prefix + MerchantDraft.Fields.OwnerName, MaxNameLength);
        if (Has(MerchantDraft.Fields.OwnerNik))
            CheckNik(draft.OwnerNik, prefix + MerchantDraft.Fields.OwnerNik, checks);
        if (Has(MerchantDraft.Fields.Nib) && draft.Nib.Length > 0)
            checks.Check(IsDigits(draft.Nib, 13), prefix + MerchantDraft.Fields.Nib, "NIB_INVALID",
                "must be exactly 13 digits (Nomor Induk Berusaha), or empty when the business has none");
        if (Has(MerchantDraft.Fields.Category))
            CheckCategory(draft.Category, prefix + MerchantDraft.Fields.Category, checks);
        if (Has(MerchantDraft.Fields.Scale))
            checks.RequireEnum(draft.Scale, prefix + MerchantDraft.Fields.Scale);
        if (Has(MerchantDraft.Fields.KecamatanCode))
            CheckKecamatan(draft.KecamatanCode, regencyCode, directory, prefix + MerchantDraft.Fields.KecamatanCode, checks, required: true);
        if (Has(MerchantDraft.Fields.Address))
            checks.RequireText(draft.Address, prefix + MerchantDraft.Fields.Address, MaxAddressLength);
        if (Has(MerchantDraft.Fields.Location) && draft.Location is not null)
            CheckPoint(draft.Location, prefix + MerchantDraft.Fields.Location, checks);
        if (Has(MerchantDraft.Fields.QrisNmid) && draft.QrisNmid.Length > 0)
            checks.Check(IsQrisNmid(draft.QrisNmid), prefix + MerchantDraft.Fields.QrisNmid, "QRIS_NMID_INVALID",
                "must be \"ID\" followed by 13 digits (QRIS National Merchant ID), or empty when there is none");
    }

    /// <summary>
    /// Requires a plausible NIK: 16 digits whose digits 7-12 are a birth date DDMMYY that exists (women add
    /// 40 to the day). The description never contains the NIK.
    /// </summary>
    public static void CheckNik(string nik, string field, FieldChecks checks)
    {
        if (string.IsNullOrEmpty(nik))
        {
            checks.Add(field, "FIELD_REQUIRED", "is required: the owner's NIK (16 digits)");
            return;
        }
        if (!IsDigits(nik, 16))
        {
            checks.Add(field, "NIK_INVALID", "must be exactly 16 digits");
            return;
        }
        checks.Check(HasPlausibleBirthDate(nik), field, "NIK_BIRTH_DATE_INVALID",
            "digits 7-12 must be the owner's birth date DDMMYY (women add 40 to the day) and that date must exist");
    }

    /// <summary>Whether digits 7-12 of a 16-digit NIK are a date that exists in 19YY or 20YY.</summary>
    public static bool HasPlausibleBirthDate(string nik)
    {
        var day = (nik[6] - '0') * 10 + (nik[7] - '0');
        var month = (nik[8] - '0') * 10 + (nik[9] - '0');
        var year = (nik[10] - '0') * 10 + (nik[11] - '0');
        if (day > 40) day -= 40;
        if (month is < 1 or > 12 || day < 1) return false;
        return day <= Math.Max(DateTime.DaysInMonth(1900 + year, month), DateTime.DaysInMonth(2000 + year, month));
    }

    /// <summary>Requires a known category that the program admits (not modern retail, not franchise).</summary>
    public static void CheckCategory(MerchantCategory category, string field, FieldChecks checks)
    {
        if (!checks.RequireEnum(category, field)) return;
        checks.Check(!IsExcluded(category), field, CategoryExcluded,
            "modern retail and franchises are not part of e-Bakul: only local micro and small businesses (UMKM / IKM) can be registered");
    }

    /// <summary>Whether the program excludes merchants of this category.</summary>
    public static bool IsExcluded(MerchantCategory category) =>
        category is MerchantCategory.ModernRetail or MerchantCategory.Franchise;

    /// <summary>
    /// Checks a kecamatan code: required (or optional), and a kecamatan of the regency when the hub serves it.
    /// </summary>
    public static void CheckKecamatan(string kecamatanCode, string regencyCode, RegencyDirectory directory, string field,
        FieldChecks checks, bool required)
    {
        if (string.IsNullOrEmpty(kecamatanCode))
        {
            if (required) checks.Add(field, "FIELD_REQUIRED", "is required: a kecamatan code of the regency, e.g. \"35.22.15\"");
            return;
        }
        if (!directory.Regencies.ContainsKey(regencyCode)) return;
        checks.Check(directory.IsKecamatanOf(regencyCode, kecamatanCode), field, KecamatanNotInRegency,
            $"'{Shorten(kecamatanCode)}' is not a kecamatan of regency {regencyCode}");
    }

    /// <summary>Requires both coordinates, latitude in -90..90 and longitude in -180..180.</summary>
    public static void CheckPoint(Coordinates point, string field, FieldChecks checks)
    {
        if (point.Latitude is not { } latitude)
            checks.Add(field + ".latitude", "FIELD_REQUIRED", "is required when a point is given");
        else
            checks.Check(latitude is >= -90 and <= 90, field + ".latitude", "LATITUDE_OUT_OF_RANGE", "must be between -90 and 90 degrees");
        if (point.Longitude is not { } longitude)
            checks.Add(field + ".longitude", "FIELD_REQUIRED", "is required when a point is given");
        else
            checks.Check(longitude is >= -180 and <= 180, field + ".longitude", "LONGITUDE_OUT_OF_RANGE", "must be between -180 and 180 degrees");
    }

    /// <summary>Requires the reason of a status change.</summary>
    public static void CheckReason(string reason, FieldChecks checks) =>
        checks.RequireText(reason, "reason", MaxReasonLength);

    /// <summary>Requires a merchant id.</summary>
    public static void CheckMerchantId(string merchantId, FieldChecks checks) =>
        checks.RequireText(merchantId, "merchant_id", MaxMerchantIdLength);

    /// <summary>Whether <paramref name="value"/> is "ID" followed by 13 digits.</summary>
    public static bool IsQrisNmid(string value) =>
        value.Length == 15 && value.StartsWith("ID", StringComparison.Ordinal) && IsDigits(value.AsSpan(2), 13);

    private static bool IsDigits(ReadOnlySpan<char> value, int length)
    {
        if (value.Length != length) return false;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }

    private static string Shorten(string value) => value.Length <= 24 ? value : value[..24] + "…";
}
