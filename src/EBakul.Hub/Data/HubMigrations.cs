using EBakul.Hub.Domain.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace EBakul.Hub.Data;

/// <summary>
/// Brings a database to the hub's schema with its EF Core migrations (Data/Migrations; on PostgreSQL Data/Postgres/Migrations,
/// those of <see cref="Postgres.PostgresHubDbContext"/>). Data migrations call the hub's own
/// rules by name, so those are registered on the migrating connection first: <c>ebakul_receipt_key</c> is
/// <see cref="ReceiptReferences.Key"/>.
/// </summary>
public static class HubMigrations
{
    /// <summary>Applies every pending migration.</summary>
    public static async Task MigrateAsync(HubDbContext db, CancellationToken cancellationToken, string? targetMigration = null)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // PostgreSQL's migrations (Data/Postgres/Migrations) start from today's model: they call no hub rule.
            if (db.Database.GetDbConnection() is SqliteConnection sqlite)
                sqlite.CreateFunction<string, string>("ebakul_receipt_key", ReceiptReferences.Key, isDeterministic: true);
            else
                // Npgsql's migrator reads the history before it creates it, and logs that failed read of a new database as
                // an error; with the (empty) history table made first, a first start logs nothing alarming.
                await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            if (targetMigration is null)
                await db.Database.MigrateAsync(cancellationToken);
            else
                await db.Database.MigrateAsync(targetMigration, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
