using System.Data.Common;
using System.Diagnostics;
using EBakul.Hub.Data.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Data;

/// <summary>Which database the hub keeps its data in (<c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>One SQLite file (<c>Database:Path</c>): one hub process. The default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>ConnectionStrings:Postgres</c>): any number of hub replicas (docs/postgres.md).</summary>
    Postgres,
}

/// <summary>
/// Everything that differs between the two stores, in one place: how the writer's connection is opened and its
/// transaction begun, how a statement is prepared, how an EF Core context is made on a connection, how read snapshots
/// shared by several connections are taken, and which errors mean a unique key refused a row. SQL text is written once;
/// PostgreSQL's reading of it is <see cref="PostgresSql"/>. Code elsewhere that is store-specific says so by its type
/// (SqlitePragmas, WalCheckpointer, WritableStorage are SQLite's; Data/Postgres is PostgreSQL's).
/// </summary>
public abstract class StoreDialect
{
    /// <summary>The store of <paramref name="options"/>.</summary>
    public static StoreDialect For(DatabaseOptions options) =>
        options.Provider == DatabaseProvider.Postgres ? new PostgresStore(options) : new SqliteStore(options);

    /// <summary>The store a context works on.</summary>
    public static StoreDialect Of(HubDbContext db) =>
        db is PostgresHubDbContext ? new PostgresStore(db.Database.GetConnectionString()!) : new SqliteStore(db.Database.GetConnectionString()!);

    /// <summary>The provider.</summary>
    public abstract DatabaseProvider Provider { get; }

    /// <summary>Opens the writer's connection.</summary>
    public abstract DbConnection OpenWriterConnection();

    /// <summary>Begins a write transaction on the writer's connection, holding what the store needs to serialize writers.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>Prepares one statement on the writer's connection.</summary>
    public abstract WriterStatement Prepare(DbConnection connection, string sql);

    /// <summary>
    /// A query of the value the next row of <paramref name="table"/> takes in its generated integer key
    /// <paramref name="column"/>, given out inside the writer's transaction before the row is inserted, so that the insert
    /// can wait to go with a later statement (<see cref="WriterStatement.ExecuteDeferred"/>) while its caller already knows
    /// the key. Writers hold the store's write lock from begin to commit, so the keys given out follow commit order.
    /// </summary>
    public abstract string NextKeySql(string table, string column);

    /// <summary>A factory of EF Core contexts on the writer's connection.</summary>
    public abstract Func<HubDbContext> ContextsOn(DbConnection connection);

    /// <summary>
    /// Sends the writer's deferred statements (<see cref="WriterStatement.ExecuteDeferred"/>) that still wait; nothing on
    /// SQLite, which runs them at once. A failure of one is a <see cref="DeferredWriteException"/>.
    /// </summary>
    public virtual void SendDeferred(DbConnection connection)
    {
    }

    /// <summary>Forgets the writer's deferred statements that still wait (their work is being undone); nothing on SQLite.</summary>
    public virtual void DiscardDeferred(DbConnection connection)
    {
    }

    /// <summary>Opens a read connection of its own.</summary>
    public abstract Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="count"/> read connections whose transactions see one and the same snapshot of the database.
    /// SQLite begins them inside a write of <paramref name="writer"/> (which holds the single write lock); PostgreSQL
    /// exports the first one's snapshot to the others.
    /// </summary>
    public abstract Task<List<(DbConnection Connection, DbTransaction Snapshot)>> OpenSharedSnapshotsAsync(int count, DatabaseWriter writer, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for the turn named <paramref name="name"/> among every hub process on the database and holds it until
    /// disposed (or until the process dies). Nothing on SQLite, where one process writes; a session advisory lock on
    /// PostgreSQL.
    /// </summary>
    public virtual Task<IAsyncDisposable> TakeTurnAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(NoTurn.Instance);

    private sealed class NoTurn : IAsyncDisposable
    {
        public static readonly NoTurn Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>
    /// Begins a read-only transaction whose reads all see one snapshot of the database: on SQLite a deferred transaction
    /// (it takes no write lock; its snapshot is taken at its first read), on PostgreSQL REPEATABLE READ.
    /// </summary>
    public static DbTransaction BeginReadSnapshot(DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => sqlite.BeginTransaction(deferred: true),
        _ => connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead),
    };

    /// <summary>Whether <paramref name="ex"/> (or an inner exception) is a unique key refusing a row.</summary>
    public static bool IsUniqueViolation(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            // A deferred statement's refusal is not the refusal of the statement it surfaced with.
            if (e is DeferredWriteException) return false;
            if (e is SqliteException { SqliteExtendedErrorCode: 2067 /* SQLITE_CONSTRAINT_UNIQUE */ or 1555 /* PRIMARYKEY */ }) return true;
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }) return true;
        }
        return false;
    }

    /// <summary>
    /// A command on a read connection (SQL as written, <c>$name</c> parameters); add parameters with
    /// <see cref="AddParameter"/>.
    /// </summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = connection is Npgsql.NpgsqlConnection ? PostgresSql.Translate(sql) : sql;
        return command;
    }

    /// <summary>
    /// The hub's hand-written reads (reports, quota evaluations, compliance snapshots) as they are about to run: event
    /// <see cref="ReadCommandExecuting"/> with the <see cref="DbCommand"/>, its parameters bound, as payload (EF Core's own
    /// queries are on EF Core's listener). Written only while something listens: tests/EBakul.Hub.Tests/Data/ReadPlanTests
    /// checks every read's plan with it.
    /// </summary>
    public static readonly DiagnosticListener ReadCommands = new("EBakul.Hub.ReadCommands");

    /// <summary>The name of the <see cref="ReadCommands"/> event.</summary>
    public const string ReadCommandExecuting = "ReadCommandExecuting";

    /// <summary>Tells <see cref="ReadCommands"/>' listeners that <paramref name="command"/> is about to run, and returns it.</summary>
    public static DbCommand Announce(DbCommand command)
    {
        if (ReadCommands.IsEnabled(ReadCommandExecuting)) ReadCommands.Write(ReadCommandExecuting, command);
        return command;
    }

    /// <summary>Adds a parameter written <c>$name</c> in the command's SQL.</summary>
    public static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = command is Npgsql.NpgsqlCommand ? PostgresSql.ParameterName(name) : name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>The SQLite store: one file, one writer (SQLite's write lock), WAL readers.</summary>
public sealed class SqliteStore(string connectionString) : StoreDialect
{
    /// <summary>The store of <paramref name="options"/>.</summary>
    public SqliteStore(DatabaseOptions options) : this(options.ConnectionString)
    {
    }

    /// <inheritdoc />
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <inheritdoc />
    /// <remarks>
    /// One past the largest key (a seek to the end of the table's b-tree): the writer holds SQLite's only write lock, and
    /// the hub's tables with such keys never lose their last rows (an AUTOINCREMENT key would not take a deleted one again).
    /// </remarks>
    public override string NextKeySql(string table, string column) => $"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}";

    /// <inheritdoc />
    public override DbConnection OpenWriterConnection()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        SqlitePragmas.Apply(connection);
        using var settings = connection.CreateCommand();
        // The writer's page cache: a merchant import chunk's index pages stay in memory until the
        // commit instead of spilling and re-reading. Grows only as used.
        // No automatic checkpoint: the WalCheckpointer copies the WAL into the database file, not the writer.
        settings.CommandText = $"PRAGMA cache_size=-{DatabaseWriter.WriterCacheKibibytes}; PRAGMA wal_autocheckpoint=0;";
        settings.ExecuteNonQuery();
        return connection;
    }

    /// <inheritdoc />
    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <inheritdoc />
    public override WriterStatement Prepare(DbConnection connection, string sql) => new SqliteWriterStatement((SqliteConnection)connection, sql);

    /// <inheritdoc />
    public override Func<HubDbContext> ContextsOn(DbConnection connection)
    {
        var options = new DbContextOptionsBuilder<HubDbContext>().UseSqlite(connection).Options;
        return () => new HubDbContext(options);
    }

    /// <inheritdoc />
    public override async Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(SqlitePragmas.ForReading(connectionString));
        await connection.OpenAsync(cancellationToken);
        if (!SqlitePragmas.IsImmutableView(connection.ConnectionString)) SqlitePragmas.Apply(connection, reading: true);
        return connection;
    }

    /// <inheritdoc />
    public override async Task<List<(DbConnection Connection, DbTransaction Snapshot)>> OpenSharedSnapshotsAsync(
        int count, DatabaseWriter writer, CancellationToken cancellationToken)
    {
        var connections = new List<DbConnection>();
        var snapshots = new List<(DbConnection, DbTransaction)>();
        try
        {
            for (var i = 0; i < count; i++) connections.Add(await OpenReadConnectionAsync(cancellationToken));
            await writer.WriteAsync(_ =>
            {
                foreach (var connection in connections)
                {
                    var snapshot = ((SqliteConnection)connection).BeginTransaction(deferred: true);
                    // A deferred transaction takes its snapshot at its first read.
                    using var read = connection.CreateCommand();
                    read.Transaction = snapshot;
                    read.CommandText = "SELECT count(*) FROM period_states";
                    read.ExecuteScalar();
                    snapshots.Add((connection, snapshot));
                }
                return 0;
            }, cancellationToken);
            return snapshots;
        }
        catch
        {
            foreach (var (_, snapshot) in snapshots) snapshot.Dispose();
            foreach (var connection in connections) await connection.DisposeAsync();
            throw;
        }
    }
}
