using Microsoft.Data.Sqlite;

namespace EBakul.Hub.Data;

/// <summary>
/// Copies the write-ahead log back into the database file on a thread and connection of its own, so that the
/// single writer never does it between two commits.
/// <para>
/// A commit is durable once its pages are appended to the WAL and the WAL is fsynced; copying them into the database
/// file (a checkpoint) only keeps the WAL short. SQLite's automatic checkpoint runs inside the committing
/// connection: every thousand pages the writer would stop to read the WAL, write the database file and fsync it
/// while every caller of the next batch waits. Here the writer's automatic checkpoint is off and this thread runs a
/// PASSIVE checkpoint a short while after commits (it never blocks the writer or a reader): pages written by several
/// commits of that while are copied once.
/// </para>
/// <para>
/// SQLite starts the WAL over from its beginning only when a write transaction begins while every page of the WAL is
/// already copied, which a writer that commits back to back never sees. So once the WAL holds
/// <see cref="DatabaseOptions.WalRestartPages"/> pages, the writer catches up between two batches (<see cref="TakeRestart"/>): it
/// copies the few pages committed since this thread's checkpoint, and its next transaction reuses the WAL.
/// </para>
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>
    /// The default of <see cref="DatabaseOptions.CheckpointInterval"/>, how long commits are gathered before a
    /// checkpoint: a page that several commits of that while changed is copied into the database file once, and the
    /// file is fsynced once. Under month-end load, single-purchase runs taking turns on the 2-core machine recorded
    /// 4,300–5,600 purchases/s (p99 25–36 ms) at 250 ms, and 5,300–6,400/s (p99 21–27 ms) at 1 s; 3 s was no better
    /// than 1 s.
    /// </summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The default of <see cref="DatabaseOptions.WalRestartPages"/>: 256 MiB of 2 KiB pages (512 MiB in a file with 4 KiB
    /// pages). Each restart stalls the writer for its catch-up (two fsyncs and the pages of one checkpoint, typically
    /// 5–20 ms), so restarts are kept
    /// rare: at month-end rates (about 17,000 WAL pages a second) once every seven or eight seconds, where 16k pages
    /// made it about once a second and showed in the p99 of recorded purchases.
    /// </summary>
    public const int DefaultRestartPages = 128 * 1024;

    /// <summary>Checkpoints in a row, each copying what was committed during the one before, before the writer catches up.</summary>
    private const int RoundsBeforeRestart = 3;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _passive;
    private readonly AutoResetEvent _committed = new(false);
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopping = new(false);

    /// <summary>The checkpoint that never waits for the writer or a reader.</summary>
    public const string Checkpoint = "PRAGMA wal_checkpoint(PASSIVE)";

    private readonly int _restartPages;
    private readonly TimeSpan _interval;
    private volatile bool _restartDue;

    /// <summary>Opens the checkpointer's connection and starts its thread.</summary>
    public WalCheckpointer(string connectionString, int restartPages, TimeSpan interval)
    {
        _restartPages = Math.Max(1, restartPages);
        _interval = interval > TimeSpan.Zero ? interval : DefaultInterval;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqlitePragmas.Apply(_connection);
        _passive = _connection.CreateCommand();
        _passive.CommandText = Checkpoint;
        _thread = new Thread(Run) { IsBackground = true, Name = "ebakul-db-checkpoint" };
        _thread.Start();
    }

    /// <summary>The most recent checkpoint failure, or null after a checkpoint succeeded.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Tells the checkpointer that the writer committed.</summary>
    public void Committed() => _committed.Set();

    /// <summary>
    /// Whether the writer should checkpoint on its own connection before its next transaction, so that the transaction
    /// starts the WAL over (asked once per time the WAL grew past <see cref="DatabaseOptions.WalRestartPages"/>).
    /// </summary>
    public bool TakeRestart()
    {
        if (!_restartDue) return false;
        _restartDue = false;
        return true;
    }

    private void Run()
    {
        while (true)
        {
            _committed.WaitOne();
            // Gathers the commits of the interval; a stop does not wait for it (closing the last connection
            // checkpoints what is left).
            if (_stopping.Wait(_interval)) return;
            try
            {
                WritableStorage.Require(_connection.DataSource);
                var walFrames = CheckpointOnce();
                if (walFrames >= _restartPages)
                {
                    // Copy what was committed meanwhile, so that the writer's catch-up has little left to copy.
                    for (var round = 1; round < RoundsBeforeRestart; round++) CheckpointOnce();
                    _restartDue = true;
                }
                LastFailure = null;
            }
            catch (Exception ex) when (ex is SqliteException or StorageNotWritableException)
            {
                // The WAL keeps every committed page; the next checkpoint copies what this one could not.
                LastFailure = ex;
            }
        }
    }

    /// <summary>Runs a PASSIVE checkpoint; returns the number of pages in the WAL.</summary>
    private long CheckpointOnce()
    {
        // Columns: busy (0/1), pages in the WAL, pages of it copied into the database file.
        using var reader = _passive.ExecuteReader();
        reader.Read();
        return reader.GetInt64(1);
    }

    /// <summary>Stops the thread after its current checkpoint and closes the connection.</summary>
    public void Dispose()
    {
        _stopping.Set();
        _committed.Set();
        _thread.Join(TimeSpan.FromSeconds(30));
        // Connections do not checkpoint when closed (SqlitePragmas): copy the rest of the WAL into the database file and
        // empty it here, unless the files cannot be written (a checkpoint would then end the process, WritableStorage).
        if (WritableStorage.WhyNotWritable(_connection.DataSource) is null)
        {
            try
            {
                using var truncate = _connection.CreateCommand();
                truncate.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                truncate.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Another connection is still reading: the WAL stays, and the next start reads it.
            }
        }
        _passive.Dispose();
        _connection.Dispose();
        _committed.Dispose();
        _stopping.Dispose();
    }
}
