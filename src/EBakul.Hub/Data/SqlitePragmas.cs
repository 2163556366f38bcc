using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EBakul.Hub.Data;

/// <summary>
/// The per-connection SQLite settings that make an acknowledged write durable:
/// <list type="bullet">
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
    /// Applies the settings to an open connection; first makes sure its files can be written
    /// (<see cref="WritableStorage"/>), since SQLite writes to their memory map from the first statement on.
    /// </summary>
    public static void Apply(DbConnection connection)
    {
        WritableStorage.Require(connection.DataSource);
        if (connection is SqliteConnection { Handle: { } handle })
            SQLitePCL.raw.sqlite3_db_config(handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY;";
        command.ExecuteNonQuery();
    }

    /// <summary>Applies <see cref="Apply"/> to every connection EF Core opens.</summary>
    public sealed class Interceptor : DbConnectionInterceptor
    {
        /// <inheritdoc />
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (connection is SqliteConnection) Apply(connection);
        }

        /// <inheritdoc />
        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            ConnectionOpened(connection, eventData);
            return Task.CompletedTask;
        }
    }
}
