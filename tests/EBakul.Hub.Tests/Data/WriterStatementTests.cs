using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// The writer's prepared statements on a real SQLite file: every kind of value goes in and comes back unchanged,
/// a statement keeps working across runs, and SQLite's errors arrive as <see cref="SqliteException"/>.
/// </summary>
public sealed class WriterStatementTests : IDisposable
{
    private const string Insert = "INSERT INTO v (k, t, i, r, b) VALUES ($k, $t, $i, $r, $b) ON CONFLICT DO NOTHING";
    private const string Select = "SELECT t, i, r, b FROM v WHERE k = $k";

    private readonly string _path = HubFactory.NewDatabasePath();
    private readonly DatabaseWriter _writer;

    public WriterStatementTests()
    {
        _writer = new DatabaseWriter(Options.Create(new DatabaseOptions { Path = _path }));
        _writer.WriteAsync(tx => tx.Command("CREATE TABLE v (k TEXT PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB)").ExecuteNonQuery())
            .GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _writer.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    [Fact]
    public async Task Values_of_every_kind_come_back_as_bound()
    {
        var text = "Warung Bu Sri — ꦧꦺꦴꦗꦤꦺꦒꦫ 🍜 " + new string('x', 100_000); // past the statement's own text buffer
        var blob = new byte[] { 0, 1, 254, 255 };
        var inserted = await _writer.WriteAsync(tx =>
            tx.Command(Insert).Bind("$k", "a").Bind("$t", text).Bind("$i", long.MaxValue).Bind("$r", -7.25).Bind("$b", blob).ExecuteNonQuery()
            + tx.Command(Insert).Bind("$k", "b").Bind("$t", (string?)null).Bind("$i", (long?)null).Bind("$r", (double?)null).Bind("$b", (byte[]?)null).ExecuteNonQuery());
        Assert.Equal(2, inserted);

        var (first, second) = await _writer.WriteAsync(tx => (Row(tx, "a"), Row(tx, "b")));
        Assert.Equal<object?>([text, long.MaxValue, -7.25, blob], first);
        Assert.Equal<object?>([null, null, null, null], second);
    }

    [Fact]
    public async Task A_conflict_ignored_by_the_statement_changes_nothing_and_the_statement_runs_again()
    {
        var changes = await _writer.WriteAsync(tx => Enumerable.Range(0, 3)
            .Select(i => tx.Command(Insert).Bind("$k", i == 2 ? "x" : "same").Bind("$t", $"run {i}").Bind("$i", i).Bind("$r", (double?)null).Bind("$b", (byte[]?)null).ExecuteNonQuery())
            .ToList());
        Assert.Equal([1, 0, 1], changes);
        Assert.Equal("run 0", await _writer.WriteAsync(tx => tx.Command("SELECT t FROM v WHERE k = $k").Bind("$k", "same").ExecuteScalar()));
    }

    [Fact]
    public async Task A_constraint_failure_is_a_SqliteException_and_leaves_the_statement_usable()
    {
        const string strict = "INSERT INTO v (k, t) VALUES ($k, $t)";
        await _writer.WriteAsync(tx => tx.Command(strict).Bind("$k", "k").Bind("$t", "first").ExecuteNonQuery());

        var failure = await Assert.ThrowsAsync<SqliteException>(() =>
            _writer.WriteAsync(tx => tx.Command(strict).Bind("$k", "k").Bind("$t", "second").ExecuteNonQuery()));
        Assert.Equal(1555, failure.SqliteExtendedErrorCode); // SQLITE_CONSTRAINT_PRIMARYKEY

        Assert.Equal(1, await _writer.WriteAsync(tx => tx.Command(strict).Bind("$k", "k2").Bind("$t", "third").ExecuteNonQuery()));
    }

    [Fact]
    public async Task Misuse_is_refused_with_what_is_wrong()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() =>
            _writer.WriteAsync(tx => tx.Command(Select).Bind("$key", "a").ExecuteScalar()));
        Assert.Contains("$key", unknown.Message);

        var two = await Assert.ThrowsAsync<ArgumentException>(() =>
            _writer.WriteAsync(tx => tx.Command("SELECT 1; SELECT 2").ExecuteNonQuery()));
        Assert.Contains("one SQL statement", two.Message);
    }

    private static object?[] Row(WriteTransaction tx, string key)
    {
        using var rows = tx.Command(Select).Bind("$k", key).ExecuteReader();
        Assert.True(rows.Read());
        var values = Enumerable.Range(0, 4).Select(rows.GetValue).ToArray();
        Assert.False(rows.Read());
        return values;
    }
}
