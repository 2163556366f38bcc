namespace EBakul.Hub.Domain.Integrity;

/// <summary>
/// The reads of the integrity signals: set-based aggregates over one regency's month of the ledger, portable SQL (SQLite and
/// PostgreSQL alike, <c>@name</c> parameters) that returns only what a rule needs to look at.
/// </summary>
internal static class IntegritySql
{
    /// <summary>The month's purchases that stand (not voided) as <c>p</c>; <c>@regency</c>, <c>@period</c>.</summary>
    private const string Standing =
        "WITH p AS (SELECT e.id, e.employee_nip, e.office_code, e.merchant_id, e.amount_rupiah, e.occurred_at, e.receipt_reference, e.evidence_sha256 " +
        "FROM ledger_entries e WHERE e.regency_code = @regency AND e.period_key = @period AND e.kind = 1 " +
        "AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = e.id)) ";

    /// <summary>
    /// Per merchant, office and buyer: purchases, sum, first and last moment (Unix ms). The merchant-level rules (captive
    /// office, scale, new merchant) fold these rows.
    /// </summary>
    public const string BuyerMerchantFigures = Standing +
        "SELECT p.merchant_id, p.office_code, p.employee_nip, COUNT(*), SUM(p.amount_rupiah), MIN(p.occurred_at), MAX(p.occurred_at) " +
        "FROM p GROUP BY p.merchant_id, p.office_code, p.employee_nip";

    /// <summary>The regency's merchants: id, name, kecamatan, category, scale and first verification (Unix ms, null when never).</summary>
    public const string Merchants =
        "SELECT m.id, m.name, m.kecamatan_code, m.category, m.scale, " +
        "(SELECT MIN(c.effective_at) FROM merchant_status_changes c WHERE c.merchant_id = m.id AND c.status = 2) " +
        "FROM merchants m WHERE m.regency_code = @regency";

    /// <summary>The regency's employees as they are now: NIP, name, office, kelas jabatan, echelon, TPP ceiling.</summary>
    public const string Employees =
        "SELECT e.nip, e.name, e.office_code, e.kelas_jabatan, e.echelon, e.tpp_ceiling_rupiah FROM employees e WHERE e.regency_code = @regency";

    /// <summary>The regency's office names.</summary>
    public const string Offices = "SELECT o.code, o.name FROM offices o WHERE o.regency_code = @regency";

    /// <summary>
    /// Over the months <c>@period0</c>…: each purchase that is at least 4/5 of its buyer's month (the purchase that alone
    /// meets the month): NIP, month, merchant, amount, moment, entry id.
    /// </summary>
    public static string DominantPurchases(int months) =>
        "WITH p AS (SELECT e.id, e.employee_nip, e.merchant_id, e.amount_rupiah, e.occurred_at, e.period_key " +
        "FROM ledger_entries e WHERE e.regency_code = @regency AND e.period_key IN (" +
        string.Join(", ", Enumerable.Range(0, months).Select(i => $"@period{i}")) + ") AND e.kind = 1 " +
        "AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = e.id)), " +
        "t AS (SELECT p.employee_nip, p.period_key, SUM(p.amount_rupiah) AS total FROM p GROUP BY p.employee_nip, p.period_key) " +
        "SELECT p.employee_nip, p.period_key, p.merchant_id, p.amount_rupiah, p.occurred_at, p.id FROM p " +
        "JOIN t ON t.employee_nip = p.employee_nip AND t.period_key = p.period_key WHERE p.amount_rupiah * 5 >= t.total * 4";

    /// <summary>
    /// The month's large purchases (at least <c>@large</c>) with another large purchase at the same merchant no more than
    /// <c>@gap</c> ms before or after: merchant, moment, entry id, buyer, amount, receipt reference; by merchant and moment.
    /// </summary>
    public const string CloseLargePurchases = Standing +
        ", w AS (SELECT p.id, p.merchant_id, p.employee_nip, p.amount_rupiah, p.occurred_at, p.receipt_reference, " +
        "LAG(p.occurred_at) OVER (PARTITION BY p.merchant_id ORDER BY p.occurred_at, p.id) AS before_at, " +
        "LEAD(p.occurred_at) OVER (PARTITION BY p.merchant_id ORDER BY p.occurred_at, p.id) AS after_at " +
        "FROM p WHERE p.amount_rupiah >= @large) " +
        "SELECT w.merchant_id, w.occurred_at, w.id, w.employee_nip, w.amount_rupiah, w.receipt_reference FROM w " +
        "WHERE w.occurred_at - w.before_at <= @gap OR w.after_at - w.occurred_at <= @gap ORDER BY w.merchant_id, w.occurred_at, w.id";

    /// <summary>The month's purchases whose evidence digest another of the month's purchases also has: digest, entry id, buyer, merchant, amount.</summary>
    public const string SharedEvidence = Standing +
        ", d AS (SELECT p.evidence_sha256 FROM p WHERE p.evidence_sha256 IS NOT NULL GROUP BY p.evidence_sha256 HAVING COUNT(*) > 1) " +
        "SELECT p.evidence_sha256, p.id, p.employee_nip, p.merchant_id, p.amount_rupiah FROM p JOIN d ON d.evidence_sha256 = p.evidence_sha256 " +
        "ORDER BY p.evidence_sha256, p.occurred_at, p.id";

    /// <summary>
    /// Groups of at least <c>@buyers</c> employees of one office who bought the same large amount (at least <c>@large</c>) at
    /// one merchant on one Jakarta day (<c>@offset</c> ms east of UTC): merchant, office, day number, amount, buyers.
    /// </summary>
    public const string SameAmountGroups = Standing +
        ", g AS (SELECT p.merchant_id, p.office_code, (p.occurred_at + @offset) / 86400000 AS day, p.amount_rupiah, p.employee_nip FROM p " +
        "WHERE p.amount_rupiah >= @large) " +
        "SELECT g.merchant_id, g.office_code, g.day, g.amount_rupiah, COUNT(DISTINCT g.employee_nip) FROM g " +
        "GROUP BY g.merchant_id, g.office_code, g.day, g.amount_rupiah HAVING COUNT(DISTINCT g.employee_nip) >= @buyers";

    /// <summary>The month's purchases at the merchants <c>@merchant0</c>…: entry id, merchant, office, buyer, amount, moment.</summary>
    public static string PurchasesAt(int merchants) => Standing +
        "SELECT p.id, p.merchant_id, p.office_code, p.employee_nip, p.amount_rupiah, p.occurred_at FROM p WHERE p.merchant_id IN (" +
        string.Join(", ", Enumerable.Range(0, merchants).Select(i => $"@merchant{i}")) + ")";

    /// <summary>The ledger entries <c>@entry0</c>…: id, buyer, office, merchant, amount, moment, receipt reference, evidence.</summary>
    public static string Entries(int entries) =>
        "SELECT e.id, e.employee_nip, e.office_code, e.merchant_id, e.amount_rupiah, e.occurred_at, e.receipt_reference, e.evidence_sha256 " +
        "FROM ledger_entries e WHERE e.id IN (" + string.Join(", ", Enumerable.Range(0, entries).Select(i => $"@entry{i}")) + ")";
}
