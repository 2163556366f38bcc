using EBakul.Hub.Data;
using EBakul.Hub.Data.Postgres;
using EBakul.Hub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// The writer's group commit on the run's store (a real SQLite file, or a PostgreSQL database): rerunnable items run
/// together without savepoints, and a failure among them undoes the group and runs it again item by item, so the outcome
/// is as if each had its own savepoint. Deferred statements (<see cref="WriterStatement.ExecuteDeferred"/>) run at once on
/// SQLite and wait for the writer's next statement on PostgreSQL: either way an item reads its own deferred writes, and a
/// deferred statement the database refuses fails its own item alone, never the item it happened to be sent with.
/// </summary>
public sealed class DatabaseWriterTests : IDisposable
{
    private readonly string _path = HubFactory.NewDatabasePath();
    private readonly DatabaseWriter _writer;

    public DatabaseWriterTests()
    {
        _writer = new DatabaseWriter(Options.Create(TestStore.DatabaseOptionsFor(_path)));
        _writer.WriteAsync(tx => tx.Command("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").ExecuteNonQuery()).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _writer.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    [Fact]
    public async Task The_write_ahead_log_starts_over_under_back_to_back_commits_and_keeps_every_commit()
    {
        // SQLite starts the WAL over by itself only when a transaction begins after a checkpoint copied everything,
        // which a writer that always has the next batch waiting rarely allows: 32 callers keep it busy for three
        // seconds in batches of four. In trials on a 2-core machine the WAL ended at 75-105% of the bytes committed
        // without the writer's catch-up, and at 15-25% with it.
        var path = HubFactory.NewDatabasePath();
        var blob = new byte[16 * 1024];
        Random.Shared.NextBytes(blob);
        long commits = 0;
        using (var writer = new DatabaseWriter(Options.Create(new DatabaseOptions
        {
            Path = path, MaxWritesPerCommit = 4, WalRestartPages = 256, CheckpointInterval = TimeSpan.FromMilliseconds(250),
        })))
        {
            await writer.WriteAsync(tx => tx.Command("CREATE TABLE blobs (v BLOB NOT NULL)").ExecuteNonQuery());
            var busy = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
            {
                while (busy.Elapsed < TimeSpan.FromSeconds(3))
                {
                    await writer.WriteAsync(tx => tx.Command("INSERT INTO blobs (v) VALUES ($v)").Bind("$v", blob).ExecuteNonQuery());
                    Interlocked.Increment(ref commits);
                }
            })));

            var written = commits * blob.Length;
            var walBytes = new FileInfo(path + "-wal").Length;
            Assert.True(walBytes < written / 2, $"the WAL holds {walBytes:N0} bytes after {written:N0} bytes of commits: it did not start over as the writer caught up");
        }

        await using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        reader.Open();
        await using var count = reader.CreateCommand();
        count.CommandText = "SELECT count(*), sum(length(v)) FROM blobs";
        await using var rows = await count.ExecuteReaderAsync();
        Assert.True(rows.Read());
        Assert.Equal(commits, rows.GetInt64(0));
        Assert.Equal(commits * blob.Length, rows.GetInt64(1));
    }

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

    private sealed class Item(string key, bool fails = false)
    {
        public int Runs;
        public int Callbacks;

        public int Run(WriteTransaction tx)
        {
            Runs++;
            tx.Command("INSERT INTO t (k, v) VALUES ($k, 1)").Bind("$k", key).ExecuteNonQuery();
            tx.OnCommitted(() => Callbacks++);
            if (fails) throw new InvalidOperationException($"{key} refuses");
            return 1;
        }
    }

    private async Task<List<string>> KeysAsync() =>
        await _writer.WriteAsync(tx =>
        {
            using var reader = tx.Command("SELECT k FROM t ORDER BY k").ExecuteReader();
            var keys = new List<string>();
            while (reader.Read()) keys.Add(reader.GetString(0));
            return keys;
        });

    [Fact]
    public async Task Rerunnable_items_that_all_succeed_run_once_without_savepoints()
    {
        var (blocker, release) = HoldWriter();
        var items = Enumerable.Range(0, 20).Select(i => new Item($"k{i:D2}")).ToList();
        var writes = items.Select(i => _writer.WriteAsync(i.Run, rerunnable: true)).ToList();
        release.Set();
        await blocker;
        await Task.WhenAll(writes);

        // (Committed callbacks run on the writer's thread before its next write, so read the keys first.)
        Assert.Equal(items.Count, (await KeysAsync()).Count);
        Assert.All(items, i => Assert.Equal((1, 1), (i.Runs, i.Callbacks)));
    }

    [Fact]
    public async Task A_failure_in_a_group_that_began_the_transaction_fails_alone_and_the_others_are_written_once()
    {
        var (blocker, release) = HoldWriter();
        var a = new Item("a");
        var b = new Item("b", fails: true);
        var c = new Item("c");
        var writes = new[] { a, b, c }.Select(i => _writer.WriteAsync(i.Run, rerunnable: true)).ToList();
        release.Set();
        await blocker;

        Assert.Equal(1, await writes[0]);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[1]);
        Assert.Equal("b refuses", refused.Message);
        Assert.Equal(1, await writes[2]);
        Assert.Equal(["a", "c"], await KeysAsync());
        // a ran in the group and again in its own savepoint after b failed; c ran once (the group stopped at b).
        Assert.Equal((2, 1), (a.Runs, a.Callbacks));
        Assert.Equal((2, 0), (b.Runs, b.Callbacks));
        Assert.Equal((1, 1), (c.Runs, c.Callbacks));
    }

    [Fact]
    public async Task A_failure_in_a_group_after_other_work_undoes_only_the_group()
    {
        var (blocker, release) = HoldWriter();
        var first = new Item("first");
        var a = new Item("a");
        var duplicate = new Item("first"); // the primary key refuses it
        var c = new Item("c");
        var last = new Item("last");
        var writes = new List<Task<int>>
        {
            _writer.WriteAsync(first.Run),
            _writer.WriteAsync(a.Run, rerunnable: true),
            _writer.WriteAsync(duplicate.Run, rerunnable: true),
            _writer.WriteAsync(c.Run, rerunnable: true),
            _writer.WriteAsync(last.Run),
        };
        release.Set();
        await blocker;

        await Assert.ThrowsAnyAsync<Exception>(() => writes[2]);
        foreach (var i in new[] { 0, 1, 3, 4 }) Assert.Equal(1, await writes[i]);
        Assert.Equal(["a", "c", "first", "last"], await KeysAsync());
        Assert.Equal((1, 1), (first.Runs, first.Callbacks));
        Assert.Equal((2, 1), (a.Runs, a.Callbacks));
        Assert.Equal((1, 1), (c.Runs, c.Callbacks));
        Assert.Equal((1, 1), (last.Runs, last.Callbacks));
    }

    [Fact]
    public async Task A_rerunnable_item_cancelled_while_it_waits_does_not_run_and_the_group_stands()
    {
        var (blocker, release) = HoldWriter();
        using var cancel = new CancellationTokenSource();
        var a = new Item("a");
        var cancelled = new Item("cancelled");
        var c = new Item("c");
        var writes = new List<Task<int>>
        {
            _writer.WriteAsync(a.Run, rerunnable: true),
            _writer.WriteAsync(cancelled.Run, cancel.Token, rerunnable: true),
            _writer.WriteAsync(c.Run, rerunnable: true),
        };
        cancel.Cancel();
        release.Set();
        await blocker;

        Assert.Equal(1, await writes[0]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writes[1]);
        Assert.Equal(1, await writes[2]);
        Assert.Equal(0, cancelled.Runs);
        Assert.Equal(["a", "c"], await KeysAsync());
    }

    private const string InsertSql = "INSERT INTO t (k, v) VALUES ($k, $v)";

    /// <summary>
    /// Reads the table, then inserts its key with a deferred statement. It answers -1 when its read is refused by a unique
    /// key, as code that maps a duplicate to ALREADY_EXISTS does: a deferred statement of another item that fails while
    /// this item's read carries it must not look like that.
    /// </summary>
    private sealed class DeferredItem(string key)
    {
        public int Runs;

        public long Run(WriteTransaction tx)
        {
            Runs++;
            long before;
            try
            {
                before = (long)tx.Command("SELECT count(*) FROM t").ExecuteScalar()!;
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
            using var reader = tx.Command("SELECT k, v FROM t ORDER BY k").ExecuteReader();
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
            var rows = (long)tx.Command("SELECT count(*) FROM t").ExecuteScalar()!;
            tx.Command("UPDATE t SET v = v + 10 WHERE k = $k").Bind("$k", "a").ExecuteDeferred();
            // An EF Core command of the item's context runs after the deferred statements.
            var updated = db.Database.ExecuteSqlRaw("UPDATE t SET v = v + 100 WHERE v = 11");
            tx.Command(InsertSql).Bind("$k", "c").Bind("$v", 3).ExecuteDeferred();
            var affected = tx.Command("UPDATE t SET v = v WHERE k IN ('a', 'b', 'c')").ExecuteNonQuery();
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
        var a = new DeferredItem("a");
        var duplicate = new DeferredItem("taken"); // its deferred insert is refused by the primary key when the next read carries it
        var c = new DeferredItem("c");
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
        var writes = new[] { new DeferredItem("a"), new DeferredItem("taken"), new DeferredItem("c") }.Select(i => _writer.WriteAsync(i.Run)).ToList();
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
