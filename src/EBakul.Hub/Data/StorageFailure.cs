using EBakul.Hub.Errors;
using Microsoft.Data.Sqlite;

namespace EBakul.Hub.Data;

/// <summary>
/// A failure of the database's storage rather than of the request: the disk is full (SQLite error 13), the files
/// cannot be written (8, read-only; or found so before SQLite was asked, <see cref="StorageNotWritableException"/>) or
/// read and written at all (10, disk I/O; 14, cannot open). The caller gets
/// UNAVAILABLE with a reason (<c>STORAGE_FULL</c>, <c>STORAGE_READ_ONLY</c>, <c>STORAGE_IO_ERROR</c>) and may retry
/// the same request_id later; nothing of a failed write was committed. On PostgreSQL: a full disk, or a server that cannot
/// be reached or is shutting down (<c>DATABASE_UNAVAILABLE</c>).
/// </summary>
public static class StorageFailure
{
    /// <summary>The storage failure behind <paramref name="ex"/> (or one of its inner exceptions), or null when it is none.</summary>
    public static HubException? From(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is StorageNotWritableException { Reading: true })
                return HubException.Unavailable("STORAGE_READ_ONLY", "the hub's database files cannot be written, and its latest commits cannot be read " +
                    "until they can (SQLite reads them only by writing beside them); nothing was changed, retry later");
            if (e is StorageNotWritableException)
                return HubException.Unavailable("STORAGE_READ_ONLY", "the hub's database files cannot be written; nothing was written, retry later with the same request_id");
            if (e is Npgsql.PostgresException postgres)
            {
                // PostgreSQL: a full disk (53100), no more connections or memory (53xxx), the server shutting down (57P0x).
                if (postgres.SqlState == "53100")
                    return HubException.Unavailable("STORAGE_FULL", "the hub's database disk is full; nothing was written, retry later with the same request_id");
                if (postgres.SqlState.StartsWith("53", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal))
                    return HubException.Unavailable("DATABASE_UNAVAILABLE", "the hub's database cannot serve the call now (out of connections or memory, or shutting down); nothing was changed: retry later (a write with the same request_id)");
                return null;
            }
            if (e is Npgsql.NpgsqlException { IsTransient: true } or Npgsql.NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException })
                return HubException.Unavailable("DATABASE_UNAVAILABLE", "the hub's database cannot be reached; nothing was changed: retry later (a write with the same request_id)");
            if (e is not SqliteException sqlite) continue;
            return (sqlite.SqliteErrorCode & 0xFF) switch
            {
                13 => HubException.Unavailable("STORAGE_FULL", "the hub's database disk is full; nothing was written, retry later with the same request_id"),
                8 => HubException.Unavailable("STORAGE_READ_ONLY", "the hub's database files cannot be written; nothing was written, retry later with the same request_id"),
                10 or 14 => HubException.Unavailable("STORAGE_IO_ERROR", "the hub's database storage failed (I/O error); nothing was written, retry later with the same request_id"),
                _ => null,
            };
        }
        return null;
    }
}
