using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using EBakul.Ledger.V1;
using Microsoft.Data.Sqlite;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// The page size of the SQLite file: a database the hub creates has pages of <see cref="SqlitePragmas.NewDatabasePageBytes"/>;
/// a file made before (with SQLite's default 4 KiB pages, as by earlier releases) keeps its pages and is served as it is;
/// and the conversion docs/operations.md gives, run on a stopped hub's file, changes the page size and keeps every row.
/// </summary>
public sealed class SqlitePageSizeTests
{
    [SqliteOnlyFact("the page size of the SQLite file")]
    public async Task A_database_the_hub_creates_has_its_page_size_and_is_in_WAL_mode()
    {
        var path = HubFactory.NewDatabasePath();
        using (var hub = new HubFactory(path))
            await RecordOneAsync(hub);

        Assert.Equal(SqlitePragmas.NewDatabasePageBytes, Convert.ToInt64(Scalar(path, "PRAGMA page_size")));
        Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
    }

    [SqliteOnlyFact("the page size of the SQLite file")]
    public async Task A_file_with_4_KiB_pages_keeps_them_and_serves_purchases()
    {
        var path = HubFactory.NewDatabasePath();
        Run(path, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE made_before (x INTEGER);");

        using (var hub = new HubFactory(path))
        {
            await RecordOneAsync(hub);
            await RecordOneAsync(hub);
        }

        Assert.Equal(4096, Convert.ToInt64(Scalar(path, "PRAGMA page_size")));
        Assert.Equal(2, Convert.ToInt64(Scalar(path, "SELECT count(*) FROM ledger_entries")));
    }

    [SqliteOnlyFact("the page size of the SQLite file")]
    public async Task The_documented_conversion_changes_the_page_size_and_keeps_every_purchase()
    {
        var path = HubFactory.NewDatabasePath();
        Run(path, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;");
        string recorded;
        using (var hub = new HubFactory(path))
            recorded = (await RecordOneAsync(hub)).PurchaseId;

        // docs/operations.md, "The SQLite file's page size", with the hub stopped: the stopped in-process hub's pooled
        // connections closed too, as a stopped process's are.
        SqliteConnection.ClearAllPools();
        Run(path, $"PRAGMA journal_mode=DELETE; PRAGMA page_size={SqlitePragmas.NewDatabasePageBytes}; VACUUM; PRAGMA journal_mode=WAL;");

        Assert.Equal(SqlitePragmas.NewDatabasePageBytes, Convert.ToInt64(Scalar(path, "PRAGMA page_size")));
        using var again = new HubFactory(path);
        var listed = await new LedgerService.LedgerServiceClient(again.Channel).ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" });
        Assert.Equal([recorded], listed.Purchases.Select(p => p.PurchaseId));
        await RecordOneAsync(again);
    }

    private static async Task<Purchase> RecordOneAsync(HubFactory hub)
    {
        var arrange = new LedgerArrange(hub);
        return await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Run(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
