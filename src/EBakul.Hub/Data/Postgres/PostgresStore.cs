using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// The PostgreSQL store: any number of hub replicas on one database. Each replica's <see cref="DatabaseWriter"/> still
/// batches its writes into one transaction (group commit); replicas serialize their write transactions on one
/// transaction-scoped advisory lock (<see cref="WriterLockKey"/>), taken first in every write transaction and held to its
/// commit. So write transactions commit one after the other, in the order they took the lock: sequences (ledger, audit,
/// adjustments) are granted in commit order, the audit chain's head is read under the lock, and every check-then-insert
/// of one transaction (idempotency records, receipt claims, leases) sees every earlier commit. Unique keys remain the
/// last word beneath it. Reads (queries, evaluations, reports, streams) never take the lock and run on every replica
/// side by side. See docs/postgres.md.
/// </summary>
public sealed class PostgresStore(string connectionString) : StoreDialect
{
    /// <summary>The advisory lock key of the hub's write transactions ("eBakulWr").</summary>
    public const long WriterLockKey = 0x6542616B756C5772;

    /// <summary>The store of <paramref name="options"/>.</summary>
    public PostgresStore(DatabaseOptions options) : this(options.PostgresConnectionString)
    {
    }

    /// <inheritdoc />
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    /// <inheritdoc />
    /// <remarks>The column's own sequence (an identity column): taken under the writer lock, so in commit order.</remarks>
    public override string NextKeySql(string table, string column) => $"SELECT nextval(pg_get_serial_sequence('{table}', '{column}'))";

    /// <inheritdoc />
    public override DbConnection OpenWriterConnection()
    {
        // The writer runs the same few statements over and over: Npgsql prepares each on the server after its second run.
        // No command timeout: the writer's statements are the hub's own, and a long one (the report aggregates' rebuild
        // over a province's ledger at start or after a demo load) must finish, not fail the start after Npgsql's 30 s.
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxAutoPrepare = 256, AutoPrepareMinUsages = 2, Pooling = false, CommandTimeout = 0,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        // A prepared statement's generic plan is made once, from the statistics of that moment; the writer's tables start
        // empty and grow, and a plan made for an empty table scans it whole (measured: every idempotency lookup and
        // aggregate update a sequential scan, the writer slowing as the tables grew). Custom plans see the table as it is.
        using var settings = new NpgsqlCommand("SET plan_cache_mode = force_custom_plan", connection);
        settings.ExecuteNonQuery();
        return connection;
    }

    /// <inheritdoc />
    public override DbTransaction BeginWrite(DbConnection connection)
    {
        var npgsql = (NpgsqlConnection)connection;
        try
        {
            return BeginLocked(npgsql);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException && npgsql.State != System.Data.ConnectionState.Open)
        {
            // The connection broke while the writer was idle (the server restarted, the network dropped it): it still said
            // Open until this first use. Nothing of the batch was sent yet, so it is opened again and the batch goes on;
            // a server still unreachable fails here, with its own error.
            return BeginLocked(npgsql);
        }
    }

    /// <summary>Begins a write transaction holding the writer lock, on a connection opened again when it is not open.</summary>
    private static DbTransaction BeginLocked(NpgsqlConnection npgsql)
    {
        if (npgsql.State != System.Data.ConnectionState.Open)
        {
            // A broken connection (the server restarted, the network failed) is opened again for the next batch.
            npgsql.Close();
            npgsql.Open();
            using var settings = new NpgsqlCommand("SET plan_cache_mode = force_custom_plan", npgsql);
            settings.ExecuteNonQuery();
        }
        var transaction = npgsql.BeginTransaction();
        try
        {
            using var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({WriterLockKey})", npgsql, transaction);
            lockCommand.ExecuteNonQuery();
            Hosting.HubTelemetry.WriterRoundTrips.Add(1);
            return transaction;
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<IAsyncDisposable> TakeTurnAsync(string name, CancellationToken cancellationToken)
    {
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("ebakul " + name)));
        var connection = (NpgsqlConnection)await OpenAsync(pooled: false, cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            take.Parameters.AddWithValue("key", key);
            take.CommandTimeout = 0; // a close may take long; the wait ends with the caller's cancellation
            await take.ExecuteNonQueryAsync(cancellationToken);
            return connection; // closing the session releases the lock
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public override WriterStatement Prepare(DbConnection connection, string sql) => new PostgresWriterStatement((NpgsqlConnection)connection, sql);

    /// <inheritdoc />
    public override Func<HubDbContext> ContextsOn(DbConnection connection)
    {
        // A context's commands run after the writer's deferred statements: the interceptor sends them first.
        var options = new DbContextOptionsBuilder<PostgresHubDbContext>().UseNpgsql(connection)
            .AddInterceptors(PostgresWriterPipeline.Of((NpgsqlConnection)connection).Interceptor).Options;
        return () => new PostgresHubDbContext(options);
    }

    /// <inheritdoc />
    public override void SendDeferred(DbConnection connection) => PostgresWriterPipeline.Of((NpgsqlConnection)connection).Send();

    /// <inheritdoc />
    public override void DiscardDeferred(DbConnection connection) => PostgresWriterPipeline.Of((NpgsqlConnection)connection).Discard();

    /// <inheritdoc />
    public override Task<DbConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) => OpenAsync(pooled: true, cancellationToken);

    /// <summary>
    /// Opens a connection; outside the pool when an evaluation holds several at once for its whole run (concurrent
    /// evaluations taking them from a bounded pool could each hold some while waiting for the rest).
    /// </summary>
    private async Task<DbConnection> OpenAsync(bool pooled, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(pooled ? connectionString : new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <inheritdoc />
    public override async Task<List<(DbConnection Connection, DbTransaction Snapshot)>> OpenSharedSnapshotsAsync(
        int count, DatabaseWriter writer, CancellationToken cancellationToken)
    {
        var snapshots = new List<(DbConnection, DbTransaction)>();
        try
        {
            string? exported = null;
            for (var i = 0; i < count; i++)
            {
                var connection = (NpgsqlConnection)await OpenAsync(pooled: count == 1, cancellationToken);
                var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
                snapshots.Add((connection, transaction));
                if (count == 1) break;
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = exported is null ? "SELECT pg_export_snapshot()" : $"SET TRANSACTION SNAPSHOT '{exported}'";
                var result = await command.ExecuteScalarAsync(cancellationToken);
                exported ??= (string)result!;
            }
            return snapshots;
        }
        catch
        {
            foreach (var (connection, snapshot) in snapshots)
            {
                await snapshot.DisposeAsync();
                await connection.DisposeAsync();
            }
            throw;
        }
    }
}
