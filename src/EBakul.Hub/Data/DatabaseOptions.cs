using Microsoft.Data.Sqlite;

namespace EBakul.Hub.Data;

/// <summary>Database settings (configuration section <c>Database</c>).</summary>
public sealed class DatabaseOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Database";

    /// <summary>
    /// The store: <see cref="DatabaseProvider.Sqlite"/> (default; <see cref="Path"/>) or <see cref="DatabaseProvider.Postgres"/>
    /// (<see cref="PostgresConnectionString"/>, from <c>ConnectionStrings:Postgres</c>).
    /// </summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The PostgreSQL connection string (configuration <c>ConnectionStrings:Postgres</c>), when <see cref="Provider"/> is Postgres.</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>Path of the SQLite file; created and migrated on first start. Default <c>data/ebakul.db</c>.</summary>
    public string Path { get; set; } = "data/ebakul.db";

    /// <summary>Most write items grouped into one durable commit.</summary>
    public int MaxWritesPerCommit { get; set; } = 512;

    /// <summary>Most write items waiting for the writer before callers are held back.</summary>
    public int MaxQueuedWrites { get; set; } = 10_000;

    /// <summary>
    /// WAL pages (of the file's page size: 2 KiB in a file the hub created, <see cref="SqlitePragmas.NewDatabasePageBytes"/>)
    /// from which the writer makes the write-ahead log start over; the WAL file grows to about this size. Default 131,072
    /// (256 MiB of 2 KiB pages); why so large: <c>WalCheckpointer.DefaultRestartPages</c>.
    /// </summary>
    public int WalRestartPages { get; set; } = WalCheckpointer.DefaultRestartPages;

    /// <summary>
    /// How long commits are gathered before their pages are copied from the WAL into the database file. Default 1 s;
    /// why: <c>WalCheckpointer.DefaultInterval</c>.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = WalCheckpointer.DefaultInterval;

    /// <summary>
    /// How long a following stream (the change feed, the adjustments stream) waits for news of an append before it
    /// reads again anyway. Appends of this process wake it at once, and on PostgreSQL so do other replicas' (LISTEN/NOTIFY,
    /// <see cref="Postgres.PostgresAppendRelay"/>); this interval bounds how late another process's rows are seen when no
    /// notification reaches it. Default 1 s.
    /// </summary>
    public TimeSpan StreamPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The connection string for <see cref="Path"/>.</summary>
    public string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = System.IO.Path.GetFullPath(Path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
