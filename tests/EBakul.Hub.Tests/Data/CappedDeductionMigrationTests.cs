using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// Adjustments of the first release carried no TPP ceiling. Opened by this hub, a DEDUCT_SHORTFALL cut at the TPP of
/// its month (correction below the shortfall) carries that TPP, its correction, even when the employee's ceiling has
/// been raised since; one deducted in full carries the larger of its correction and today's ceiling. Either way e-TPP
/// accepts it (correction == min(shortfall, ceiling)), so a requeued old adjustment is applied.
/// </summary>
public sealed class CappedDeductionMigrationTests
{
    [SqliteOnlyFact("a data migration of SQLite files of the first release (PostgreSQL starts from the current schema)")]
    public async Task First_release_adjustments_get_a_ceiling_their_correction_agrees_with()
    {
        var path = HubFactory.NewDatabasePath();
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        await using (var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseSqlite(connectionString).Options))
            await HubMigrations.MigrateAsync(db, CancellationToken.None, "20261122214533_InitialCreate");
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            // Both employees' ceilings were raised to Rp5,000,000 after the month was closed.
            insert.CommandText = """
                INSERT INTO employees (nip, regency_code, name, office_code, kelas_jabatan, employment_type, echelon,
                                       tpp_ceiling_rupiah, status, status_effective_date, updated_at)
                VALUES ('198001012005011001', '35.22', 'A', '1.02.01', 7, 1, 1, 5000000, 1, '2020-01-02', 0),
                       ('198001012005011002', '35.22', 'B', '1.02.01', 7, 1, 1, 5000000, 1, '2020-01-02', 0);
                INSERT INTO payroll_adjustments (id, idempotency_key, regency_code, nip, office_code, period_key, revision,
                    policy_version, required_rupiah, counted_rupiah, shortfall_rupiah, sanction, tpp_correction_rupiah,
                    supersedes_key, created_at)
                VALUES ('a1', '35.22:198001012005011001:2025-09:r1', '35.22', '198001012005011001', '1.02.01', 202509, 1,
                        1, 300000, 0, 300000, 1, 250000, NULL, 0),
                       ('a2', '35.22:198001012005011002:2025-09:r1', '35.22', '198001012005011002', '1.02.01', 202509, 1,
                        1, 300000, 100000, 200000, 1, 200000, NULL, 0);
                """;
            await insert.ExecuteNonQueryAsync();
        }

        using (var hub = new HubFactory(path))
        {
            _ = hub.Channel; // starts the hub, which migrates the database
            await new LedgerService.LedgerServiceClient(hub.Channel).ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" });
        }

        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT id, shortfall_rupiah, tpp_correction_rupiah, tpp_ceiling_rupiah FROM payroll_adjustments ORDER BY id";
            var rows = new List<(string Id, long Shortfall, long Correction, long Ceiling)>();
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            Assert.Equal([("a1", 300_000L, 250_000L, 250_000L), ("a2", 200_000L, 200_000L, 5_000_000L)], rows);
            Assert.All(rows, r => Assert.Equal(Math.Min(r.Shortfall, r.Ceiling), r.Correction));
        }
    }
}
