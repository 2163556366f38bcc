using System.Text.Json;
using EBakul.Hub.Data;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>
/// The prepared SQL that adds merchants, shared by registration and bulk import. Uniqueness of the NIB
/// (per regency) and of the QRIS NMID is decided by the unique indexes inside the writer's transaction:
/// an insert that would duplicate either does nothing, and only then is the conflict looked up to name it.
/// There is no check-then-insert window.
/// </summary>
public static class MerchantInserts
{
    private const string InsertMerchantSql =
        "INSERT INTO merchants (id, regency_code, name, owner_name, owner_nik, nib, category, scale, kecamatan_code, " +
        "address, latitude, longitude, qris_nmid, status, status_reason, created_at, updated_at) " +
        "VALUES ($id, $regency, $name, $owner_name, $owner_nik, $nib, $category, $scale, $kecamatan, " +
        "$address, $latitude, $longitude, $qris, $status, $reason, $created, $updated) ON CONFLICT DO NOTHING";

    private const string InsertStatusChangeSql =
        "INSERT INTO merchant_status_changes (merchant_id, status, reason, effective_at, changed_by) " +
        "VALUES ($merchant, $status, $reason, $effective, $by)";

    private const string InsertStatusChangesSql =
        "INSERT INTO merchant_status_changes (merchant_id, status, reason, effective_at, changed_by) " +
        "SELECT value, $status, $reason, $effective, $by FROM json_each($merchants) ORDER BY key";

    private const string NibTakenSql =
        "SELECT EXISTS (SELECT 1 FROM merchants WHERE regency_code = $regency AND nib = $nib AND id <> $id)";

    private const string QrisTakenSql =
        "SELECT EXISTS (SELECT 1 FROM merchants WHERE qris_nmid = $qris AND id <> $id)";

    /// <summary>Reason of a NIB already registered in the regency.</summary>
    public const string NibAlreadyRegistered = "NIB_ALREADY_REGISTERED";
    /// <summary>Reason of a QRIS NMID already registered.</summary>
    public const string QrisNmidAlreadyRegistered = "QRIS_NMID_ALREADY_REGISTERED";

    /// <summary>
    /// A new merchant from a checked draft (texts trimmed, empty optionals as null): PENDING_VERIFICATION, or ACTIVE when it
    /// has been eligible since <paramref name="eligibleSince"/> (verified in the system it is migrated from).
    /// </summary>
    public static Merchant NewMerchant(string id, string regencyCode, MerchantDraft draft, DateTimeOffset now, string statusReason,
        DateTimeOffset? eligibleSince = null) => new()
    {
        Id = id,
        RegencyCode = regencyCode,
        Name = draft.Name.Trim(),
        OwnerName = draft.OwnerName.Trim(),
        OwnerNik = draft.OwnerNik,
        Nib = NullIfEmpty(draft.Nib),
        Category = draft.Category,
        Scale = draft.Scale,
        KecamatanCode = draft.KecamatanCode,
        Address = draft.Address.Trim(),
        Latitude = draft.Location?.Latitude,
        Longitude = draft.Location?.Longitude,
        QrisNmid = NullIfEmpty(draft.QrisNmid),
        Status = eligibleSince is null ? MerchantStatus.PendingVerification : MerchantStatus.Active,
        StatusReason = eligibleSince is { } since ? MerchantRules.EligibleSinceReason(since) : statusReason,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Inserts the merchant unless its NIB or QRIS NMID is taken; returns whether it was inserted.</summary>
    public static bool TryInsert(WriteTransaction tx, Merchant merchant) =>
        tx.Command(InsertMerchantSql)
            .Bind("$id", merchant.Id)
            .Bind("$regency", merchant.RegencyCode)
            .Bind("$name", merchant.Name)
            .Bind("$owner_name", merchant.OwnerName)
            .Bind("$owner_nik", merchant.OwnerNik)
            .Bind("$nib", merchant.Nib)
            .Bind("$category", (int)merchant.Category)
            .Bind("$scale", (int)merchant.Scale)
            .Bind("$kecamatan", merchant.KecamatanCode)
            .Bind("$address", merchant.Address)
            .Bind("$latitude", merchant.Latitude)
            .Bind("$longitude", merchant.Longitude)
            .Bind("$qris", merchant.QrisNmid)
            .Bind("$status", (int)merchant.Status)
            .Bind("$reason", merchant.StatusReason)
            .Bind("$created", merchant.CreatedAt.ToUnixTimeMilliseconds())
            .Bind("$updated", merchant.UpdatedAt.ToUnixTimeMilliseconds())
            .ExecuteNonQuery() == 1;

    /// <summary>Appends one row to the merchant's status history.</summary>
    public static void InsertStatusChange(WriteTransaction tx, string merchantId, MerchantStatus status, string reason,
        DateTimeOffset effectiveAt, string changedBy) =>
        tx.Command(InsertStatusChangeSql)
            .Bind("$merchant", merchantId)
            .Bind("$status", (int)status)
            .Bind("$reason", reason)
            .Bind("$effective", effectiveAt.ToUnixTimeMilliseconds())
            .Bind("$by", changedBy)
            .ExecuteNonQuery();

    /// <summary>
    /// Appends the same status change for many merchants with one statement (the merchant ids travel as one
    /// JSON array parameter), in the order given.
    /// </summary>
    public static void InsertStatusChanges(WriteTransaction tx, IReadOnlyCollection<string> merchantIds, MerchantStatus status,
        string reason, DateTimeOffset effectiveAt, string changedBy)
    {
        if (merchantIds.Count == 0) return;
        tx.Command(InsertStatusChangesSql)
            .Bind("$merchants", JsonSerializer.Serialize(merchantIds))
            .Bind("$status", (int)status)
            .Bind("$reason", reason)
            .Bind("$effective", effectiveAt.ToUnixTimeMilliseconds())
            .Bind("$by", changedBy)
            .ExecuteNonQuery();
    }

    /// <summary>
    /// After a write of <paramref name="merchant"/> was refused by a unique index: which one, as the
    /// ALREADY_EXISTS to report (NIB first when both are taken).
    /// </summary>
    public static HubException Conflict(WriteTransaction tx, Merchant merchant)
    {
        if (merchant.Nib is not null && Exists(tx.Command(NibTakenSql)
                .Bind("$regency", merchant.RegencyCode).Bind("$nib", merchant.Nib).Bind("$id", merchant.Id)))
        {
            return HubException.AlreadyExists(NibAlreadyRegistered,
                $"NIB {merchant.Nib} is already registered in regency {merchant.RegencyCode}");
        }
        if (merchant.QrisNmid is not null && Exists(tx.Command(QrisTakenSql)
                .Bind("$qris", merchant.QrisNmid).Bind("$id", merchant.Id)))
        {
            return HubException.AlreadyExists(QrisNmidAlreadyRegistered,
                $"QRIS NMID {merchant.QrisNmid} is already registered to another merchant");
        }
        throw new InvalidOperationException("a merchant write was refused by a unique index that names neither its NIB nor its QRIS NMID");
    }

    private static bool Exists(WriterStatement statement) => statement.ExecuteScalar() is 1L;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
