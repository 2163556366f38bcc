using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// A database of the first release, with receipts claimed under the old key (trimmed, upper case), opened by this hub:
/// the claims take the new key where nothing else holds it, so a lookalike of an existing receipt is refused afterwards,
/// and a lookalike duplicate that slipped in before keeps its claim (every recorded purchase keeps its meaning).
/// </summary>
public sealed class ReceiptKeyMigrationTests
{
    [SqliteOnlyFact("a data migration of SQLite files of the first release (PostgreSQL starts from the current schema)")]
    public async Task Claims_of_the_first_release_take_the_new_receipt_key()
    {
        var path = HubFactory.NewDatabasePath();
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        await using (var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseSqlite(connectionString).Options))
            await HubMigrations.MigrateAsync(db, CancellationToken.None, "20261122214533_InitialCreate");
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            foreach (var (reference, entry) in new[] { ("ＮＴ－０１", "e1"), ("NT-01", "e2"), ("NT\u200B-02", "e3"), ("NOTA 7", "e4") })
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO receipt_claims (merchant_id, receipt_reference, entry_id) VALUES ('m1', $r, $e)";
                insert.Parameters.AddWithValue("$r", reference);
                insert.Parameters.AddWithValue("$e", entry);
                await insert.ExecuteNonQueryAsync();
            }
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
            read.CommandText = "SELECT entry_id, receipt_reference FROM receipt_claims ORDER BY entry_id";
            var claims = new List<(string, string)>();
            await using var rows = await read.ExecuteReaderAsync();
            while (await rows.ReadAsync()) claims.Add((rows.GetString(0), rows.GetString(1)));
            Assert.Equal([("e1", "ＮＴ－０１"), ("e2", "NT-01"), ("e3", "NT-02"), ("e4", "NOTA 7")], claims);
        }
    }
}
