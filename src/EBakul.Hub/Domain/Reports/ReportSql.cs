using System.Data.Common;
using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// The SQL of the reports besides what they reuse from <see cref="Quota.QuotaEvaluator"/> (whose queries hold the
/// store-specific parts: SQLite's <c>INDEXED BY</c>). Everything here is portable SQL (SQLite and PostgreSQL alike),
/// with <c>@name</c> parameters bound through <see cref="DbCommand"/> (<see cref="StoreDialect.Command"/>).
/// </summary>
internal static class ReportSql
{
    /// <summary>
    /// The month's merchants with spending, as the aggregates hold them (<see cref="ReportMerchantMonth"/>): id, category,
    /// scale, kecamatan, first ACTIVE, spending, purchases, buyers.
    /// </summary>
    public const string MerchantMonths =
        "SELECT m.merchant_id, m.category, m.scale, m.kecamatan_code, m.first_active_at, m.spent_rupiah, m.purchase_count, m.buyer_count " +
        "FROM report_merchant_months m WHERE m.regency_code = @regency AND m.period_key = @period AND m.counts = 1 AND m.spent_rupiah > 0";

    /// <summary>
    /// As <see cref="MerchantMonths"/>, with the figures of the office <c>@office</c> at each merchant
    /// (<see cref="ReportOfficeMerchantMonth"/>) in place of the merchant's.
    /// </summary>
    public const string OfficeMerchantMonths =
        "SELECT m.merchant_id, m.category, m.scale, m.kecamatan_code, m.first_active_at, o.spent_rupiah, o.purchase_count, o.buyer_count " +
        "FROM report_office_merchant_months o JOIN report_merchant_months m " +
        "ON m.regency_code = o.regency_code AND m.period_key = o.period_key AND m.merchant_id = o.merchant_id " +
        "WHERE o.regency_code = @regency AND o.period_key = @period AND o.office_code = @office AND o.spent_rupiah > 0";

    /// <summary>
    /// The month's merchants with spending summed per category, scale and kecamatan: spending, purchases, merchants, and
    /// the spending at merchants first ACTIVE from <c>@newStart</c> to <c>@end</c>; of the office <c>@office</c> when
    /// <paramref name="office"/>.
    /// </summary>
    public static string MerchantGroupSums(bool office) =>
        ("SELECT m.category, m.scale, m.kecamatan_code, SUM(x.spent_rupiah), SUM(x.purchase_count), COUNT(*), " +
        "SUM(CASE WHEN m.first_active_at >= @newStart AND m.first_active_at < @end THEN x.spent_rupiah ELSE 0 END) ")
            .Replace("x.", Figures(office)) + MerchantRows(office) + " GROUP BY m.category, m.scale, m.kecamatan_code";

    /// <summary>Orders a top list by spending (ties by merchant id).</summary>
    public const string TopByAmount = "x.spent_rupiah DESC, m.merchant_id";

    /// <summary>Orders a top list by buyers (ties by spending, then merchant id).</summary>
    public const string TopByBuyers = "x.buyer_count DESC, x.spent_rupiah DESC, m.merchant_id";

    /// <summary>
    /// The first <c>@top</c> merchants with at least <c>@minimum</c> buyers in <paramref name="order"/>, with the columns
    /// of <see cref="MerchantMonths"/>; of the office <c>@office</c> when <paramref name="office"/>.
    /// </summary>
    public static string TopMerchants(bool office, string order) =>
        ("SELECT m.merchant_id, m.category, m.scale, m.kecamatan_code, m.first_active_at, x.spent_rupiah, x.purchase_count, x.buyer_count ")
            .Replace("x.", Figures(office)) + MerchantRows(office) +
        (" AND x.buyer_count >= @minimum ORDER BY " + order + " LIMIT @top").Replace("x.", Figures(office));

    /// <summary>
    /// FROM and WHERE of the month's merchants (<c>m</c>) with spending: the regency's, or the office's (its figures at
    /// each merchant in <c>o</c>).
    /// </summary>
    private static string MerchantRows(bool office) => office
        ? "FROM report_office_merchant_months o JOIN report_merchant_months m " +
          "ON m.regency_code = o.regency_code AND m.period_key = o.period_key AND m.merchant_id = o.merchant_id " +
          "WHERE o.regency_code = @regency AND o.period_key = @period AND o.office_code = @office AND o.spent_rupiah > 0"
        : "FROM report_merchant_months m WHERE m.regency_code = @regency AND m.period_key = @period AND m.counts = 1 AND m.spent_rupiah > 0";

    /// <summary>Where the spending, purchases and buyers are read: the merchant's own row, or the office's row there.</summary>
    private static string Figures(bool office) => office ? "o." : "m.";

    /// <summary>The office <c>@office</c>'s month rows.</summary>
    public const string OneOfficeGroups = OfficeGroups + " AND g.office_code = @office";

    /// <summary>The offices' month rows (<see cref="ReportOfficeGroupMonth"/>).</summary>
    public const string OfficeGroups =
        "SELECT g.office_code, g.dimension, g.group_key, g.spent_rupiah, g.purchase_count, g.buyer_count, g.merchant_count " +
        "FROM report_office_group_months g WHERE g.regency_code = @regency AND g.period_key = @period";

    /// <summary>The month's employee level (<see cref="ReportBuyerMerchantMonth"/>), each employee's rows together.</summary>
    public const string BuyerMerchants = BuyerMerchantsSelect + "AND p.spent_rupiah > 0 " + BuyerMerchantsOrder;

    /// <summary>As <see cref="BuyerMerchants"/>, for the office <c>@office</c>.</summary>
    public const string OfficeBuyerMerchants = BuyerMerchantsSelect + "AND p.office_code = @office AND p.spent_rupiah > 0 " + BuyerMerchantsOrder;

    private const string BuyerMerchantsSelect =
        "SELECT p.office_code, p.employee_nip, p.merchant_id, p.spent_rupiah, p.purchase_count FROM report_buyer_merchant_months p " +
        "WHERE p.regency_code = @regency AND p.period_key = @period ";
    private const string BuyerMerchantsOrder = "ORDER BY p.office_code, p.employee_nip, p.merchant_id";

    /// <summary>Distinct merchants with spending from the employees of the offices <c>@office0</c>… together.</summary>
    public static string OfficesMerchantCount(int offices) =>
        "SELECT COUNT(DISTINCT o.merchant_id) FROM report_office_merchant_months o " +
        "WHERE o.regency_code = @regency AND o.period_key = @period AND o.spent_rupiah > 0 AND o.office_code IN (" +
        string.Join(", ", Enumerable.Range(0, offices).Select(i => $"@office{i}")) + ")";

    /// <summary>The names of the merchants <c>@merchant0</c>….</summary>
    public static string MerchantNames(int merchants) =>
        "SELECT m.id, m.name FROM merchants m WHERE m.id IN (" + string.Join(", ", Enumerable.Range(0, merchants).Select(i => $"@merchant{i}")) + ")";

    /// <summary>The names of the regency's offices.</summary>
    public const string OfficeNames = "SELECT o.code, o.name FROM offices o WHERE o.regency_code = @regency";

    /// <summary>
    /// Per office at close: employees whose correction in force is above 0, and the sum of the corrections in force. The
    /// correction in force is the one of the employee's latest adjustment for the month (one that no other supersedes).
    /// </summary>
    public const string CorrectionsInForce =
        "SELECT a.office_code, SUM(CASE WHEN a.tpp_correction_rupiah > 0 THEN 1 ELSE 0 END), SUM(a.tpp_correction_rupiah) " +
        "FROM payroll_adjustments a WHERE a.regency_code = @regency AND a.period_key = @period " +
        "AND NOT EXISTS (SELECT 1 FROM payroll_adjustments b WHERE b.supersedes_key = a.idempotency_key) " +
        "GROUP BY a.office_code";

    /// <summary>
    /// Begins one read snapshot on the context's connection for what follows (every read of a report, or of a trend's
    /// months, sees the same data), unless a transaction is already there. SQLite: a deferred transaction, which never
    /// takes the write lock. Dispose it to end it.
    /// </summary>
    public static async Task<IAsyncDisposable> BeginSnapshotAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null) return new Snapshot(db, null);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = StoreDialect.BeginReadSnapshot(db.Database.GetDbConnection());
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return new Snapshot(db, transaction);
    }

    private sealed class Snapshot(HubDbContext db, DbTransaction? transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (transaction is null) return;
            await db.Database.UseTransactionAsync(null);
            await transaction.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>As <see cref="ReadAsync"/>, synchronously (for a figure computed inside a fold).</summary>
    public static void Read(HubDbContext db, string sql, IReadOnlyDictionary<string, object> parameters, Action<DbDataReader> read)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) db.Database.OpenConnection();
        try
        {
            using var command = Command(db, connection, sql, parameters);
            using var rows = command.ExecuteReader();
            while (rows.Read()) read(rows);
        }
        finally
        {
            if (opened) db.Database.CloseConnection();
        }
    }

    private static DbCommand Command(HubDbContext db, DbConnection connection, string sql, IReadOnlyDictionary<string, object> parameters)
    {
        var command = StoreDialect.Command(connection, db.Database.CurrentTransaction?.GetDbTransaction(), sql);
        foreach (var (name, value) in parameters) StoreDialect.AddParameter(command, name, value);
        return StoreDialect.Announce(command);
    }

    /// <summary>Runs <paramref name="sql"/> on the context's connection and hands each row to <paramref name="read"/>.</summary>
    public static async Task ReadAsync(HubDbContext db, string sql, IReadOnlyDictionary<string, object> parameters, Action<DbDataReader> read,
        CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = Command(db, connection, sql, parameters);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken)) read(rows);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }
}
