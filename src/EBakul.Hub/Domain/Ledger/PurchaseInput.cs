using System.Globalization;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain.Ledger;

/// <summary>A purchase as a caller describes it, before it is recorded.</summary>
public sealed record PurchaseInput(
    string EmployeeNip,
    string MerchantId,
    long AmountRupiah,
    DateTimeOffset? OccurredAt,
    ReceiptKind? ReceiptKind,
    string ReceiptReference,
    string EvidenceSha256)
{
    /// <summary>Largest amount accepted for one purchase: Rp100,000,000.</summary>
    public const long MaxAmountRupiah = 100_000_000;

    /// <summary>How far in the future an occur time may lie, to absorb clock differences between systems.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Checks the fields that need no database: the NIP (as <see cref="Nip"/> checks it everywhere), merchant id, amount range, occur time (set, not in
    /// the future), receipt kind and reference, evidence hash format. Field names are prefixed with
    /// <paramref name="prefix"/> (e.g. "purchase.").
    /// </summary>
    public void Check(FieldChecks checks, string prefix, DateTimeOffset now)
    {
        Nip.Check(EmployeeNip, checks, prefix + "employee_nip");
        checks.RequireText(MerchantId, prefix + "merchant_id", 64);
        checks.Check(AmountRupiah is > 0 and <= MaxAmountRupiah, prefix + "amount_rupiah", "AMOUNT_OUT_OF_RANGE",
            $"must be a whole number of rupiah from 1 to {MaxAmountRupiah.ToString("N0", CultureInfo.InvariantCulture)}");
        if (OccurredAt is null)
        {
            if (!checks.Has(prefix + "occur_time")) checks.Add(prefix + "occur_time", "FIELD_REQUIRED", "is required");
        }
        else
            checks.Check(OccurredAt <= now + ClockSkewAllowance, prefix + "occur_time", "OCCUR_TIME_IN_FUTURE",
                "must not be in the future");
        if (ReceiptKind is null)
            checks.Add(prefix + "receipt_kind", "FIELD_REQUIRED", "must be NOTA or QRIS");
        checks.RequireText(ReceiptReference, prefix + "receipt_reference", 100);
        checks.Check(EvidenceSha256.Length == 0 || (EvidenceSha256.Length == 64 && EvidenceSha256.All(char.IsAsciiHexDigitLower)),
            prefix + "evidence_sha256", "EVIDENCE_HASH_INVALID", "must be 64 lowercase hexadecimal characters (SHA-256)");
    }

    /// <summary>The receipt reference as the caller gave it, trimmed: what the ledger shows.</summary>
    public string DisplayedReceiptReference => ReceiptReference.Trim();
}
