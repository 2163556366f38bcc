using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// The writer's group commit on a real SQLite file: rerunnable items run together without savepoints, and a failure
/// among them undoes the group and runs it again item by item, so the outcome is as if each had its own savepoint.
/// </summary>
public sealed class DatabaseWriterTests : IDisposable
{
    private readonly string _path = HubFactory.NewDatabasePath();
    private readonly DatabaseWriter _writer;

    public DatabaseWriterTests()
    {
        _writer = new DatabaseWriter(Options.Create(new DatabaseOptions { Path = _path }));
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
}
