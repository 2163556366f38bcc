using System.Globalization;
using System.Text;

namespace EBakul.Hub.Domain.Ledger;

/// <summary>
/// How receipt references are compared. A nota number typed on a phone, pasted from a QRIS app or copied out of a
/// spreadsheet can look the same and differ in its characters; the same receipt must still count once. The key under
/// which a receipt is claimed (<c>receipt_claims</c>) is therefore the reference after, in order:
/// <list type="number">
/// <item>Unicode NFKC (full-width <c>ＮＴ－０１</c> becomes <c>NT-01</c>, a ligature its letters);</item>
/// <item>format characters dropped (zero-width space and joiners, soft hyphen, byte-order mark);</item>
/// <item>every dash (en and em dash, hyphen, minus sign, …) made <c>-</c>;</item>
/// <item>every run of white space made one space, and none at either end;</item>
/// <item>upper case (invariant culture), then NFKC once more.</item>
/// </list>
/// The ledger keeps the reference as the caller gave it (trimmed) for display. For plain ASCII this key is the
/// reference trimmed and upper-cased, as it always was.
/// </summary>
public static class ReceiptReferences
{
    /// <summary>The key <paramref name="reference"/> is claimed under.</summary>
    public static string Key(string reference)
    {
        var composed = reference.Normalize(NormalizationForm.FormKC);
        var key = new StringBuilder(composed.Length);
        var pendingSpace = false;
        foreach (var c in composed)
        {
            var category = char.GetUnicodeCategory(c);
            if (category == UnicodeCategory.Format) continue;
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = key.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                key.Append(' ');
                pendingSpace = false;
            }
            key.Append(category == UnicodeCategory.DashPunctuation || c == '\u2212' ? '-' : c);
        }
        return key.ToString().ToUpperInvariant().Normalize(NormalizationForm.FormKC);
    }
}
