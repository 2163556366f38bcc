using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using EBakul.Hub.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Data;

/// <summary>
/// The single writer of the hub's SQLite database, with group commit.
/// <para>
/// SQLite admits one writer at a time and its durable commit costs an fsync. Every change therefore goes
/// through this queue: one dedicated thread takes whatever work is waiting (up to
/// <see cref="DatabaseOptions.MaxWritesPerCommit"/> items), runs each item inside its own SAVEPOINT of one
/// <c>BEGIN IMMEDIATE</c> transaction, commits once, and only then completes the callers' tasks. A failing
/// item rolls back to its savepoint and fails alone; a failed commit fails every item of the batch. So an
/// acknowledged write is always durable, and many concurrent requests share one fsync.
/// </para>
/// <para>
/// A savepoint is not free: SQLite copies every page an item changes first into a journal of the savepoint. Work that
/// only touches the transaction may say so (<c>rerunnable</c>); consecutive rerunnable items then run together without
/// a savepoint each. Should one of them fail, the writer undoes the whole group (to one savepoint around it, or the
/// transaction when the group began it) and runs the group's items again, each in its own savepoint as above: the
/// outcome is the same, the month-end burst of purchases is cheaper.
/// </para>
/// <para>
/// Copying the WAL into the database file is left to a <see cref="WalCheckpointer"/> of its own, so the writer's
/// time goes to the callers' work and its commits only.
/// </para>
/// <para>
/// On PostgreSQL (<see cref="DatabaseProvider.Postgres"/>) the same writer runs in every hub replica: what differs is
/// the store's (<see cref="StoreDialect"/>): each write transaction first takes the replicas' writer lock, and there is
/// no WAL checkpointer or file to watch. There every statement is a round trip to the server, so the statements whose
/// outcome nobody reads (<see cref="WriterStatement.ExecuteDeferred"/>) wait and go with the next one; the writer sends
/// what still waits within the item (before its savepoint's release) or the group (at its end), so a deferred statement
/// that fails undoes its own item or group exactly as a statement failing at once would, and discards it when undoing.
/// </para>
/// </summary>
public sealed class DatabaseWriter : IDisposable
{
    private readonly Channel<IWriteItem> _queue;
    private readonly StoreDialect _store;
    private readonly DbConnection _connection;
    private readonly Func<HubDbContext> _contexts;
    private readonly int _maxWritesPerCommit;
    private readonly Thread _thread;
    private readonly WalCheckpointer? _checkpointer;
    private readonly Dictionary<string, WriterStatement> _statements = new(StringComparer.Ordinal);

    private volatile Exception? _lastCommitFailure;
    private volatile Exception? _storageFault;
    private readonly string _path;
    private readonly ILogger<DatabaseWriter>? _logger;
    private static long s_lastEpoch;
    private long _epoch = NextEpoch();
    private long _dataVersion = -1;

    /// <summary>
    /// Page cache of the writer's connection, KiB (SQLite's default is 2 MB). Measured, not guessed: at every commit
    /// SQLite walks the whole page cache of the connection, so a larger cache makes each small commit dearer (64 MiB
    /// cost a single recorded purchase more writer time than 8 MiB did), while 2 MiB re-read index pages too often.
    /// </summary>
    public const int WriterCacheKibibytes = 8 * 1024;

    /// <summary>Opens the writer's connection and starts its thread.</summary>
    public DatabaseWriter(IOptions<DatabaseOptions> options, ILogger<DatabaseWriter>? logger = null)
    {
        _logger = logger;
        _store = StoreDialect.For(options.Value);
        _path = _store.Provider == DatabaseProvider.Sqlite ? System.IO.Path.GetFullPath(options.Value.Path) : "";
        _maxWritesPerCommit = Math.Max(1, options.Value.MaxWritesPerCommit);
        _connection = _store.OpenWriterConnection();
        if (_store.Provider == DatabaseProvider.Sqlite)
            _checkpointer = new WalCheckpointer(options.Value.ConnectionString, options.Value.WalRestartPages, options.Value.CheckpointInterval);
        _contexts = _store.ContextsOn(_connection);
        _queue = Channel.CreateBounded<IWriteItem>(new BoundedChannelOptions(options.Value.MaxQueuedWrites)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = "ebakul-db-writer" };
        _thread.Start();
        HubTelemetry.ObserveWriterQueue(() => _queue.Reader.Count);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer thread inside a transaction and returns its result once the
    /// transaction is durably committed. An exception thrown by the work undoes everything it wrote and is
    /// rethrown to the caller.
    /// </summary>
    /// <param name="work">The work; it runs on the writer's thread.</param>
    /// <param name="cancellationToken">Cancels the work while it waits for the writer.</param>
    /// <param name="rerunnable">
    /// The work changes nothing but the transaction (no state of its own, nothing outside the database), so the writer
    /// may undo it and run it again: it then runs without a savepoint of its own (see the class summary).
    /// </param>
    public async Task<T> WriteAsync<T>(Func<WriteTransaction, T> work, CancellationToken cancellationToken = default, bool rerunnable = false)
    {
        var item = new WriteItem<T>(work, cancellationToken, rerunnable);
        await _queue.Writer.WriteAsync(item, cancellationToken);
        return await item.Completion.Task;
    }

    /// <summary>
    /// Why the writer cannot write, or null while it can: its thread has stopped, or its latest transaction could not
    /// begin or commit (a full disk, a lost file). Files that could not be written count only while they still cannot
    /// (asked of the file system, <see cref="WritableStorage"/>): the hub is ready again as soon as they can, without
    /// waiting for a write. Reads no data: the health check asks this on every probe.
    /// </summary>
    public string? Fault =>
        !_thread.IsAlive ? "the database writer has stopped"
        : WritableAgain() ? null
        : _lastCommitFailure is { } failure ? $"the latest database commit failed: {failure.Message}"
        : _storageFault is { } storage ? $"the database storage failed: {storage.Message}"
        : null;

    /// <summary>True when the latest failure was files found not writable, and they can be written now.</summary>
    private bool WritableAgain() =>
        _checkpointer is not null && (_lastCommitFailure ?? _storageFault) is StorageNotWritableException && WritableStorage.WhyNotWritable(_path) is null;

    /// <summary>
    /// Records a storage failure (full disk, read-only or failing files) seen by any write: the hub is not ready until
    /// a write commits again. Logged once per episode, with the path and the free space.
    /// </summary>
    private void NoteFailure(Exception ex)
    {
        if (StorageFailure.From(ex) is not { } storage) return;
        if (_storageFault is null && _logger is not null && _checkpointer is null)
            _logger.LogError(ex, "Database failure {Reason}; writes answer UNAVAILABLE and readiness is down until a write commits again", storage.Reason);
        else if (_storageFault is null && _logger is not null)
        {
            long? free = null;
            try { free = new DriveInfo(System.IO.Path.GetDirectoryName(_path)!).AvailableFreeSpace; } catch (Exception) { }
            _logger.LogError(ex, "Database storage failure {Reason} on {Path} ({Free} bytes free); writes answer UNAVAILABLE and readiness is down until a write commits again",
                storage.Reason, _path, free?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        }
        _storageFault = ex;
    }

    private void Run()
    {
        var batch = new List<IWriteItem>(_maxWritesPerCommit);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _maxWritesPerCommit && reader.TryRead(out var next)) batch.Add(next);
            if (_checkpointer?.TakeRestart() == true) CatchUpCheckpoint();
            CommitBatch(batch);
        }
    }

    /// <summary>
    /// Copies the WAL pages the <see cref="WalCheckpointer"/> has not copied yet, so that the next transaction starts the
    /// WAL over instead of growing it. A failure only leaves the WAL longer; the next catch-up tries again.
    /// </summary>
    private void CatchUpCheckpoint()
    {
        if (WritableStorage.WhyNotWritable(_path) is not null) return;
        try
        {
            using var rows = Statement(WalCheckpointer.Checkpoint).ExecuteReader();
            while (rows.Read()) { }
        }
        catch (SqliteException)
        {
        }
    }

    private void CommitBatch(List<IWriteItem> batch)
    {
        var succeeded = new List<IWriteItem>(batch.Count);
        using var span = StartBatchSpan(batch);
        var started = Stopwatch.GetTimestamp();
        if (!TryBegin(batch, out var transaction)) { HubTelemetry.WriterCommitFailures.Add(1); span?.SetStatus(ActivityStatusCode.Error); return; }
        var scope = new WriteTransaction(transaction, _contexts, this);
        try
        {
            for (var next = 0; next < batch.Count;)
            {
                if (!batch[next].Rerunnable)
                {
                    RunInSavepoint(batch[next++], scope, succeeded);
                    continue;
                }
                var end = next;
                while (end < batch.Count && batch[end].Rerunnable) end++;
                var group = batch.GetRange(next, end - next);
                if (!RunTogether(group, transaction, scope, beganTransaction: succeeded.Count == 0 && next == 0))
                {
                    if (next == 0 && succeeded.Count == 0)
                    {
                        // The group was undone with the transaction itself: begin another for the items' second run.
                        if (!TryBegin(batch, out transaction)) return;
                        scope = new WriteTransaction(transaction, _contexts, this);
                    }
                    foreach (var item in group) RunInSavepoint(item, scope, succeeded);
                }
                else
                {
                    succeeded.AddRange(group);
                }
                next = end;
            }
            _store.SendDeferred(_connection); // every path above sent its items' deferred statements; nothing waits here
            transaction.Commit();
        }
        catch (Exception ex)
        {
            _lastCommitFailure = ex;
            NoteFailure(ex);
            HubTelemetry.WriterCommitFailures.Add(1);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            _epoch = NextEpoch();
            _store.DiscardDeferred(_connection);
            try { transaction.Rollback(); } catch { /* the connection reports the original failure */ }
            // Every item still waiting fails with it (an item already failed or cancelled keeps its own outcome).
            foreach (var item in batch) item.Fail(ex);
            transaction.Dispose();
            return;
        }
        transaction.Dispose();
        HubTelemetry.WriterBatchSize.Record(batch.Count);
        HubTelemetry.WriterCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _lastCommitFailure = null;
        if (succeeded.Count > 0 && _storageFault is not null)
        {
            _storageFault = null;
            _logger?.LogInformation("Database storage on {Path} accepts writes again", _path);
        }
        _checkpointer?.Committed();
        foreach (var item in succeeded) item.Complete();
        scope.RunCommittedCallbacks();
    }

    /// <summary>
    /// The batch's span (when traced): a child of the first item's caller, linked to the other callers (at most 32), so a
    /// call's trace shows the commit it waited for.
    /// </summary>
    private static Activity? StartBatchSpan(List<IWriteItem> batch)
    {
        if (!HubTelemetry.Source.HasListeners()) return null;
        var links = batch.Skip(1).Select(i => i.Caller).Where(c => c != default).Distinct().Take(32).Select(c => new ActivityLink(c)).ToList();
        var span = HubTelemetry.Source.StartActivity("ebakul.writer.commit", ActivityKind.Internal, batch[0].Caller, links: links);
        span?.SetTag("ebakul.writer.batch.size", batch.Count);
        return span;
    }

    private bool TryBegin(List<IWriteItem> batch, out DbTransaction transaction)
    {
        DbTransaction? begun = null;
        try
        {
            if (_checkpointer is null)
            {
                // PostgreSQL: other replicas commit between any two of this writer's transactions, so what the writer
                // remembers of the database is never carried from one transaction to the next.
                begun = _store.BeginWrite(_connection);
                _epoch = NextEpoch();
                transaction = begun;
                return true;
            }
            WritableStorage.Require(_path); // before SQLite writes to the mapped -shm file (see WritableStorage)
            begun = _store.BeginWrite(_connection);
            // The write lock is held from here to the commit: if another connection committed since this writer's last
            // transaction, what the writer remembers of the database may be out of date.
            var dataVersion = (long)Statement("PRAGMA data_version").ExecuteScalar()!;
            if (dataVersion != _dataVersion)
            {
                _dataVersion = dataVersion;
                _epoch = NextEpoch();
            }
            transaction = begun;
            return true;
        }
        catch (Exception ex)
        {
            _lastCommitFailure = ex;
            NoteFailure(ex);
            _store.DiscardDeferred(_connection);
            begun?.Dispose(); // rolls back
            foreach (var item in batch) item.Fail(ex);
            transaction = null!;
            return false;
        }
    }

    /// <summary>Runs one item in a savepoint of its own: if it fails, it fails alone and leaves nothing behind.</summary>
    private void RunInSavepoint(IWriteItem item, WriteTransaction scope, List<IWriteItem> succeeded)
    {
        if (item.IsCancelled)
        {
            item.Cancel();
            return;
        }
        Execute("SAVEPOINT item");
        try
        {
            item.Run(scope);
            Execute("RELEASE item"); // sends the item's deferred statements first, in the same round trip
            succeeded.Add(item);
        }
        catch (Exception ex)
        {
            _epoch = NextEpoch();
            _store.DiscardDeferred(_connection);
            Execute("ROLLBACK TO item");
            Execute("RELEASE item");
            scope.DiscardPendingCallbacks();
            NoteFailure(ex);
            item.Fail(ex);
        }
        finally
        {
            scope.EndItem();
        }
    }

    /// <summary>
    /// Runs rerunnable items one after the other without a savepoint each. Returns false, with everything they wrote
    /// undone, when one of them fails: when <paramref name="beganTransaction"/> the whole transaction is rolled back
    /// (nothing else is in it), otherwise back to a savepoint taken before the group.
    /// </summary>
    private bool RunTogether(List<IWriteItem> group, DbTransaction transaction, WriteTransaction scope, bool beganTransaction)
    {
        if (!beganTransaction) Execute("SAVEPOINT together");
        var callbacksBefore = scope.PendingCallbackCount;
        var cancelled = new List<IWriteItem>();
        try
        {
            foreach (var item in group)
            {
                if (item.IsCancelled)
                {
                    cancelled.Add(item);
                    continue;
                }
                try
                {
                    item.Run(scope);
                }
                finally
                {
                    scope.EndItem();
                }
            }
            // The group's deferred statements are sent inside it: should one fail, the group is undone and run again
            // item by item, each in its savepoint, where the failure is its own item's.
            if (beganTransaction) _store.SendDeferred(_connection);
            else Execute("RELEASE together");
        }
        catch (Exception)
        {
            _epoch = NextEpoch();
            _store.DiscardDeferred(_connection);
            scope.DiscardCallbacksFrom(callbacksBefore);
            if (beganTransaction)
            {
                // A rollback on a connection the failure broke fails too; the items' second run (each in its savepoint, in a
                // new transaction) meets the real failure and reports it, not the rollback's.
                try { transaction.Rollback(); } catch (Exception) { }
                transaction.Dispose();
            }
            else
            {
                Execute("ROLLBACK TO together");
                Execute("RELEASE together");
            }
            return false;
        }
        foreach (var item in cancelled)
        {
            // Cancelled while waiting: it did not run; the group's other items stand.
            item.Cancel();
            group.Remove(item);
        }
        return true;
    }

    /// <summary>The store this writer writes to.</summary>
    public StoreDialect Store => _store;

    /// <summary>The current <see cref="WriteTransaction.Epoch"/>.</summary>
    internal long Epoch => _epoch;

    private static long NextEpoch() => Interlocked.Increment(ref s_lastEpoch);

    private void Execute(string sql) => Statement(sql).ExecuteNonQuery();

    /// <summary>Sends the deferred statements that still wait (<see cref="WriterStatement.ExecuteDeferred"/>).</summary>
    internal void SendDeferred() => _store.SendDeferred(_connection);

    /// <summary>The writer's prepared statement for <paramref name="sql"/>, created on first use (writer thread only).</summary>
    internal WriterStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement)) _statements[sql] = statement = _store.Prepare(_connection, sql);
        return statement;
    }

    /// <summary>Stops accepting work, lets the queued work finish and closes the connection.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(30));
        _checkpointer?.Dispose();
        foreach (var statement in _statements.Values) statement.Dispose();
        _connection.Dispose();
    }

    private interface IWriteItem
    {
        ActivityContext Caller { get; }
        bool IsCancelled { get; }
        bool Rerunnable { get; }
        void Run(WriteTransaction scope);
        void Complete();
        void Fail(Exception exception);
        void Cancel();
    }

    private sealed class WriteItem<T>(Func<WriteTransaction, T> work, CancellationToken cancellationToken, bool rerunnable) : IWriteItem
    {
        public bool Rerunnable => rerunnable;

        /// <summary>The span of the call that queued the work, if traced.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsCancelled => cancellationToken.IsCancellationRequested;

        public void Run(WriteTransaction scope) => _result = work(scope);

        public void Complete() => Completion.TrySetResult(_result!);

        public void Fail(Exception exception) => Completion.TrySetException(exception);

        public void Cancel() => Completion.TrySetCanceled(cancellationToken);
    }
}

/// <summary>
/// What one write item sees: the writer's connection and transaction, prepared commands for hot-path SQL,
/// and an EF Core context bound to the same transaction for everything else.
/// </summary>
public sealed class WriteTransaction
{
    private readonly DbTransaction _transaction;
    private readonly Func<HubDbContext> _contexts;
    private readonly DatabaseWriter _writer;
    private readonly List<Action> _committedCallbacks = [];
    private int _itemCallbackStart;
    private HubDbContext? _db;

    internal WriteTransaction(DbTransaction transaction, Func<HubDbContext> contexts, DatabaseWriter writer)
    {
        _transaction = transaction;
        _contexts = contexts;
        _writer = writer;
    }

    /// <summary>An EF Core context on the writer's transaction, fresh for each write item.</summary>
    public HubDbContext Db
    {
        get
        {
            if (_db is null)
            {
                _db = _contexts();
                _db.Database.UseTransaction(_transaction);
            }
            // Commands run on the context's connection outside EF Core (ReportSql) see the deferred statements' effects too.
            _writer.SendDeferred();
            return _db;
        }
    }

    /// <summary>
    /// The prepared statement for <paramref name="sql"/> (one SQL statement), reused across items and batches for the
    /// life of the writer. Bind every parameter by name before each run.
    /// </summary>
    public WriterStatement Command(string sql) => _writer.Statement(sql);

    /// <summary>
    /// Changes whenever what a write remembered of the database between writes may have gone out of date: after any
    /// undo (a failed item, group or commit), and when another connection has committed since the writer's last
    /// transaction. A value is never reused, not even by another writer. Something kept across writes (the audit
    /// chain's last event) is trusted only while the epoch it was read in is still current.
    /// </summary>
    public long Epoch => _writer.Epoch;

    /// <summary>The store written to (what differs between SQLite and PostgreSQL).</summary>
    public StoreDialect Store => _writer.Store;

    /// <summary>Runs <paramref name="callback"/> on the writer thread after the transaction commits (not if this item fails).</summary>
    public void OnCommitted(Action callback) => _committedCallbacks.Add(callback);

    internal int PendingCallbackCount => _committedCallbacks.Count;

    internal void DiscardCallbacksFrom(int count)
    {
        _committedCallbacks.RemoveRange(count, _committedCallbacks.Count - count);
        _itemCallbackStart = count;
    }

    internal void DiscardPendingCallbacks() =>
        _committedCallbacks.RemoveRange(_itemCallbackStart, _committedCallbacks.Count - _itemCallbackStart);

    internal void EndItem()
    {
        _db?.Dispose();
        _db = null;
        _itemCallbackStart = _committedCallbacks.Count;
    }

    internal void RunCommittedCallbacks()
    {
        foreach (var callback in _committedCallbacks) callback();
    }
}
