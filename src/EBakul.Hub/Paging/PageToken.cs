using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Paging;

/// <summary>
/// Page sizes and opaque page tokens for keyset paging. A token holds the last key of the previous page
/// and a fingerprint of the filters it was issued for, so a token reused with other filters is refused
/// instead of silently returning the wrong rows.
/// </summary>
public static class PageToken
{
    /// <summary>Resolves the page size: 0 means <paramref name="defaultSize"/>; negative or above <paramref name="maxSize"/> is invalid.</summary>
    public static int Size(int requested, FieldChecks checks, int defaultSize = 50, int maxSize = 1000)
    {
        if (requested == 0) return defaultSize;
        checks.Check(requested > 0 && requested <= maxSize, "page_size", "PAGE_SIZE_OUT_OF_RANGE", $"must be between 1 and {maxSize}");
        return Math.Clamp(requested, 1, maxSize);
    }

    /// <summary>Makes a token for the page after <paramref name="lastKey"/>.</summary>
    public static string Encode(string lastKey, string filterFingerprint) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Fingerprint(filterFingerprint)}|{lastKey}"));

    /// <summary>Reads a token; empty means the first page (null). Adds a violation to <paramref name="checks"/> when it is not valid for these filters.</summary>
    public static string? Decode(string token, string filterFingerprint, FieldChecks checks)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var bar = text.IndexOf('|');
            if (bar > 0 && text[..bar] == Fingerprint(filterFingerprint)) return text[(bar + 1)..];
        }
        catch (FormatException)
        {
        }
        checks.Add("page_token", "PAGE_TOKEN_INVALID", "is not a token issued for this list with these filters");
        return null;
    }

    /// <summary>
    /// Reads a token whose key is a number (a sequence, a version, an id): 0 for the first page. Adds a violation to
    /// <paramref name="checks"/> when the token is not valid for these filters or holds no number.
    /// </summary>
    public static long DecodeNumber(string token, string filterFingerprint, FieldChecks checks)
    {
        var after = Decode(token, filterFingerprint, checks);
        if (after is null) return 0;
        if (long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        checks.Add("page_token", "PAGE_TOKEN_INVALID", "is not a token issued for this list");
        return 0;
    }

    private static string Fingerprint(string filters) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filters)).AsSpan(0, 6));
}
