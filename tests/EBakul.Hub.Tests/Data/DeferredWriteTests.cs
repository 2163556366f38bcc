using EBakul.Hub.Data;
using EBakul.Hub.Data.Postgres;
using EBakul.Hub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// Deferred statements (<see cref="WriterStatement.ExecuteDeferred"/>) on the run's store: on SQLite they run at once; on
/// PostgreSQL they wait and go with the writer's next statement. Either way an item's reads see its deferred writes, and a
/// deferred statement the database refuses fails its own item alone, never the item it happened to be sent with.
/// </summary>
public sealed class DeferredWriteTests : IDisposable
{
    private readonly string _path = HubFactory.NewDatabasePath();
    private readonly DatabaseWriter _writer;

    public DeferredWriteTests()
    {
        _writer = new DatabaseWriter(Options.Create(TestStore.DatabaseOptionsFor(_path)));
        _writer.WriteAsync(tx => tx.Command("CREATE TABLE deferred_t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").ExecuteNonQuery()).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _writer.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private const string InsertSql = "INSERT INTO deferred_t (k, v) VALUES ($k, $v)";

    /// <summary>Holds the writer inside one item until released, so that everything queued meanwhile forms the next batch.</summary>
    private (Task Blocker, ManualResetEventSlim Release) HoldWriter()
    {
        var release = new ManualResetEventSlim();
        var started = new ManualResetEventSlim();
        var blocker = _writer.WriteAsync(_ =>
        {
            started.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        return (blocker, release);
    }

    /// <summary>
    /// Reads the table, then inserts its key with a deferred statement. It answers -1 when its read is refused by a unique
    /// key, as code that maps a duplicate to ALREADY_EXISTS does: a deferred statement of another item that fails while
    /// this item's read carries it must not look like that.
    /// </summary>
    private sealed class Item(string key)
    {
        public int Runs;

        public long Run(WriteTransaction tx)
        {
            Runs++;
            long before;
            try
            {
                before = (long)tx.Command("SELECT count(*) FROM deferred_t").ExecuteScalar()!;
            }
            catch (Exception ex) when (StoreDialect.IsUniqueViolation(ex))
            {
                return -1;
            }
            tx.Command(InsertSql).Bind("$k", key).Bind("$v", before).ExecuteDeferred();
            return before;
        }
    }

    private async Task<List<(string Key, long Value)>> RowsAsync() =>
        await _writer.WriteAsync(tx =>
        {
            using var reader = tx.Command("SELECT k, v FROM deferred_t ORDER BY k").ExecuteReader();
            var rows = new List<(string, long)>();
            while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
            return rows;
        });

    [Fact]
    public async Task An_item_reads_its_own_deferred_writes_through_writer_statements_and_EF_Core()
    {
        var (rows, updated, count) = await _writer.WriteAsync(tx =>
        {
            var db = tx.Db;
            tx.Command(InsertSql).Bind("$k", "a").Bind("$v", 1).ExecuteDeferred();
            tx.Command(InsertSql).Bind("$k", "b").Bind("$v", 2).ExecuteDeferred();
            var rows = (long)tx.Command("SELECT count(*) FROM deferred_t").ExecuteScalar()!;
            tx.Command("UPDATE deferred_t SET v = v + 10 WHERE k = $k").Bind("$k", "a").ExecuteDeferred();
            // An EF Core command of the item's context runs after the deferred statements.
            var updated = db.Database.ExecuteSqlRaw("UPDATE deferred_t SET v = v + 100 WHERE v = 11");
            tx.Command(InsertSql).Bind("$k", "c").Bind("$v", 3).ExecuteDeferred();
            var affected = tx.Command("UPDATE deferred_t SET v = v WHERE k IN ('a', 'b', 'c')").ExecuteNonQuery();
            return (rows, updated, affected);
        });

        Assert.Equal((2L, 1, 3), (rows, updated, count));
        Assert.Equal([("a", 111L), ("b", 2L), ("c", 3L)], await RowsAsync());
    }

    [Fact]
    public async Task A_refused_deferred_write_in_a_group_fails_its_item_alone_and_is_never_taken_for_the_next_items_refusal()
    {
        await _writer.WriteAsync(tx => tx.Command(InsertSql).Bind("$k", "taken").Bind("$v", 0).ExecuteNonQuery());
        var (blocker, release) = HoldWriter();
        var a = new Item("a");
        var duplicate = new Item("taken"); // its deferred insert is refused by the primary key when the next read carries it
        var c = new Item("c");
        var writes = new[] { a, duplicate, c }.Select(i => _writer.WriteAsync(i.Run, rerunnable: true)).ToList();
        release.Set();
        await blocker;

        Assert.Equal(1, await writes[0]);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => writes[1]);
        Assert.True(StoreDialect.IsUniqueViolation(refused.InnerException ?? refused), refused.ToString());
        Assert.Equal(TestStore.IsPostgres, refused is DeferredWriteException);
        // c's read carried the duplicate's insert on PostgreSQL: c did not answer -1, it ran again and wrote its own row.
        Assert.Equal(2, await writes[2]);
        Assert.Equal([("a", 1L), ("c", 2L), ("taken", 0L)], await RowsAsync());
        Assert.Equal(2, a.Runs); // in the group, then again in its own savepoint
    }

    [Fact]
    public async Task A_refused_deferred_write_of_an_item_with_its_own_savepoint_undoes_that_item_only()
    {
        await _writer.WriteAsync(tx => tx.Command(InsertSql).Bind("$k", "taken").Bind("$v", 0).ExecuteNonQuery());
        var (blocker, release) = HoldWriter();
        var writes = new[] { new Item("a"), new Item("taken"), new Item("c") }.Select(i => _writer.WriteAsync(i.Run)).ToList();
        release.Set();
        await blocker;

        Assert.Equal(1, await writes[0]);
        await Assert.ThrowsAnyAsync<Exception>(() => writes[1]);
        Assert.Equal(2, await writes[2]);
        Assert.Equal([("a", 1L), ("c", 2L), ("taken", 0L)], await RowsAsync());
    }

    [Fact]
    public async Task Deferred_writes_of_a_failing_item_are_never_sent()
    {
        var failed = _writer.WriteAsync<int>(tx =>
        {
            tx.Command(InsertSql).Bind("$k", "lost").Bind("$v", 1).ExecuteDeferred();
            throw new InvalidOperationException("refused after its write");
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        await _writer.WriteAsync(tx =>
        {
            tx.Command(InsertSql).Bind("$k", "kept").Bind("$v", 2).ExecuteDeferred();
            return 0;
        });

        Assert.Equal([("kept", 2L)], await RowsAsync());
    }
}
