using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EBakul.Hub.Data;

/// <summary>
/// The per-connection SQLite settings that make an acknowledged write durable, and the page size of a file the hub creates:
/// <list type="bullet">
/// <item><c>page_size</c> <see cref="NewDatabasePageBytes"/>, which SQLite applies only while the file is still empty, so
/// only to a database the hub creates; a file keeps the page size it was created with (docs/operations.md says how to
/// convert one).</item>
/// <item><c>journal_mode=WAL</c>: readers never block the writer, and a commit is one append to the WAL file.</item>
/// <item><c>synchronous=FULL</c>: every commit fsyncs the WAL before it returns, so a committed transaction
/// survives a power loss, not only a process crash (NORMAL would risk the last commits on power loss).</item>
/// <item><c>busy_timeout</c>: another process holding the write lock is waited for, not failed on.</item>
/// <item>no checkpoint when a connection closes (<c>SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE</c>): a checkpoint writes to the
/// memory-mapped <c>-shm</c> file, which ends the process with SIGBUS when the files cannot be written (see
/// <see cref="WritableStorage"/>), and closing connections is what a stopping hub does. The checkpointer empties the
/// WAL when the hub stops, if the files can be written (<see cref="WalCheckpointer"/>).</item>
/// </list>
/// </summary>
public static class SqlitePragmas
{
    /// <summary>
    /// Page size of a database file the hub creates, bytes (SQLite's default is 4,096). The WAL logs every page a commit
    /// changes in full, and a purchase changes a page of each of several B-trees keyed at random places (receipt claims,
    /// the ledger's merchant and month indexes, the report aggregates), so what a purchase writes follows the page size.
    /// Measured with <c>--page-size</c> in the benchmark (docs/benchmarks.md, "Smaller pages"): at one purchase in flight,
    /// a regency's usual rate, a purchase writes 55 KiB with 2 KiB pages against 90 KiB with 4 KiB; at 64 in flight 27
    /// against 38 KiB, for about 15% more writer CPU per purchase (deeper trees) and a close about 15% slower. 1 KiB pages
    /// wrote less again (39 KiB at one in flight) but cost more CPU still, and late in a month up to a third of the
    /// throughput.
    /// </summary>
    public const int NewDatabasePageBytes = 2048;

    /// <summary>
    /// Applies the settings to an open connection; first makes sure its files can be written
    /// (<see cref="WritableStorage"/>), since SQLite writes to their memory map from the first statement on.
    /// </summary>
    public static void Apply(DbConnection connection, bool reading = false)
    {
        WritableStorage.Require(connection.DataSource, reading);
        if (connection is SqliteConnection { Handle: { } handle })
            SQLitePCL.raw.sqlite3_db_config(handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        using var command = connection.CreateCommand();
        // page_size first: switching to WAL writes the file's header, after which the page size is fixed.
        command.CommandText = $"PRAGMA page_size={NewDatabasePageBytes}; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Applies <see cref="Apply"/> to every connection EF Core opens (the reads'; the writer has its own). While the files
    /// cannot be written but the main file holds every commit (<see cref="WritableStorage"/>), opens the connection on
    /// that file as immutable and read-only instead, so that reads are served without SQLite touching the WAL or the
    /// <c>-shm</c> file; once the files can be written again, the next open is an ordinary one.
    /// </summary>
    public sealed class Interceptor : DbConnectionInterceptor
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, string> Configured = new();

        /// <inheritdoc />
        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
        {
            if (connection is SqliteConnection sqlite) ChooseFile(sqlite);
            return result;
        }

        /// <inheritdoc />
        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default)
        {
            if (connection is SqliteConnection sqlite) ChooseFile(sqlite);
            return ValueTask.FromResult(result);
        }

        /// <inheritdoc />
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (connection is not SqliteConnection sqlite) return;
            if (IsImmutableView(sqlite.ConnectionString)) return; // nothing may be written
            Apply(connection, reading: true);
        }

        /// <inheritdoc />
        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            ConnectionOpened(connection, eventData);
            return Task.CompletedTask;
        }

        private static void ChooseFile(SqliteConnection connection)
        {
            var chosen = ForReading(Configured.GetValue(connection, c => c.ConnectionString));
            if (connection.ConnectionString != chosen) connection.ConnectionString = chosen;
        }
    }

    private const string ImmutableMark = "immutable=1";

    /// <summary>
    /// The connection string a read opens: <paramref name="configured"/>, or, while the files cannot be written and the
    /// main file holds every commit (<see cref="WritableStorage"/>), that file as an SQLite URI with <c>immutable=1</c>,
    /// read-only and unpooled (an immutable connection never sees a later change, so none is kept for afterwards).
    /// </summary>
    public static string ForReading(string configured)
    {
        var builder = new SqliteConnectionStringBuilder(configured);
        var path = builder.DataSource;
        if (WritableStorage.WhyNotWritable(path) is null || !WritableStorage.WalFullyCheckpointed(path)) return configured;
        var escaped = path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal)
            .Replace("#", "%23", StringComparison.Ordinal);
        builder.DataSource = $"file:{escaped}?{ImmutableMark}";
        builder.Mode = SqliteOpenMode.ReadOnly;
        builder.Pooling = false;
        return builder.ToString();
    }

    /// <summary>Whether <paramref name="connectionString"/> is the immutable view <see cref="ForReading"/> gives.</summary>
    public static bool IsImmutableView(string connectionString) => connectionString.Contains(ImmutableMark, StringComparison.Ordinal);
}
