using System.Data.Common;
using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// The SQL of the reports besides what they reuse from <see cref="Quota.QuotaEvaluator"/> (whose queries hold the
/// store-specific parts: SQLite's <c>INDEXED BY</c>). Everything here is portable SQL (SQLite and PostgreSQL alike),
/// with <c>$name</c> parameters bound through <see cref="DbCommand"/> (<see cref="StoreDialect.Command"/>).
/// </summary>
internal static class ReportSql
{
    /// <summary>The regency's merchants with the moment each was first ACTIVE (null if never): the report's merchant facts.</summary>
    public const string Merchants =
        "SELECT m.id, m.name, m.category, m.scale, m.kecamatan_code, " +
        "(SELECT MIN(s.effective_at) FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.status = 2) " +
        "FROM merchants m WHERE m.regency_code = $regency";

    /// <summary>One merchant's facts, as <see cref="Merchants"/> (for a merchant registered after that read).</summary>
    public const string Merchant = Merchants + " AND m.id = $merchant";

    /// <summary>The names of the regency's offices.</summary>
    public const string OfficeNames = "SELECT o.code, o.name FROM offices o WHERE o.regency_code = $regency";

    /// <summary>
    /// Per office at close: employees whose correction in force is above 0, and the sum of the corrections in force. The
    /// correction in force is the one of the employee's latest adjustment for the month (one that no other supersedes).
    /// </summary>
    public const string CorrectionsInForce =
        "SELECT a.office_code, SUM(CASE WHEN a.tpp_correction_rupiah > 0 THEN 1 ELSE 0 END), SUM(a.tpp_correction_rupiah) " +
        "FROM payroll_adjustments a WHERE a.regency_code = $regency AND a.period_key = $period " +
        "AND NOT EXISTS (SELECT 1 FROM payroll_adjustments b WHERE b.supersedes_key = a.idempotency_key) " +
        "GROUP BY a.office_code";

    /// <summary>Whether the month was closed at least once.</summary>
    public const string ClosedOnce =
        "SELECT COUNT(*) FROM period_states p WHERE p.regency_code = $regency AND p.period_key = $period AND p.revision > 0";

    /// <summary>Runs <paramref name="sql"/> on the context's connection and hands each row to <paramref name="read"/>.</summary>
    public static async Task ReadAsync(HubDbContext db, string sql, IReadOnlyDictionary<string, object> parameters, Action<DbDataReader> read,
        CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = StoreDialect.Command(connection, null, sql);
            foreach (var (name, value) in parameters) StoreDialect.AddParameter(command, name, value);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken)) read(rows);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }
}
