using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using EBakul.Hub.Hosting;
using Npgsql;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// The statements of the writer's PostgreSQL connection whose results nobody reads (<see cref="WriterStatement.ExecuteDeferred"/>):
/// they wait here and go to the server in one <see cref="NpgsqlBatch"/> with the connection's next statement (a read that
/// needs its rows, a savepoint's release), or when the writer sends them before it commits. A purchase's writes then cost
/// the round trips of its reads only, not one each. Whatever runs next on the connection runs after them: a writer
/// statement takes them along; an EF Core command of the writer's contexts sends them first (<see cref="Interceptor"/>).
/// <para>
/// Reads wait here too when their caller can name them before it needs their rows (<see cref="WriterStatement.ReadAhead"/>):
/// a purchase starts its request id's lookup, its facts and its month aggregates' reads together, and they go as one
/// batch with the writes still waiting, each read's rows kept in its <see cref="WriterRowsAhead"/>. The batch's results
/// come in its order (statements that return no rows give none), so the reads' come first, then the last statement's.
/// </para>
/// <para>
/// A failure of a deferred statement surfaces where they are sent, as a <see cref="DeferredWriteException"/> (never as the
/// failure of the statement they were sent with, and never read as a unique key refusing that statement's row): the
/// writer undoes the write item, or the group of items, it happened in, as it would had the statement failed at once.
/// </para>
/// </summary>
public sealed class PostgresWriterPipeline
{
    private static readonly ConditionalWeakTable<NpgsqlConnection, PostgresWriterPipeline> Pipelines = new();

    private readonly NpgsqlConnection _connection;
    private readonly List<NpgsqlBatchCommand> _pending = [];
    // The reads among the waiting statements (WriterStatement.ReadAhead), in the order of their results.
    private readonly List<WriterRowsAhead> _reads = [];

    private PostgresWriterPipeline(NpgsqlConnection connection)
    {
        _connection = connection;
        Interceptor = new SendFirstInterceptor(this);
    }

    /// <summary>The pipeline of a writer's connection (one per connection).</summary>
    public static PostgresWriterPipeline Of(NpgsqlConnection connection) => Pipelines.GetValue(connection, static c => new PostgresWriterPipeline(c));

    /// <summary>How many statements wait to be sent.</summary>
    public int Pending => _pending.Count;

    /// <summary>An EF Core interceptor that sends the waiting statements before any command of a context on the connection.</summary>
    public IInterceptor Interceptor { get; }

    /// <summary>Queues a statement (its parameters are copied: the statement may be bound again at once).</summary>
    internal void Enqueue(string sql, NpgsqlParameterCollection parameters) => _pending.Add(Copy(sql, parameters));

    /// <summary>Queues a read; its rows are kept in the returned handle when it is sent.</summary>
    internal WriterRowsAhead EnqueueRead(string sql, NpgsqlParameterCollection parameters)
    {
        _pending.Add(Copy(sql, parameters));
        var read = WriterRowsAhead.Later(Send);
        _reads.Add(read);
        return read;
    }

    /// <summary>Sends the waiting statements now (one round trip), if there are any.</summary>
    public void Send()
    {
        if (_pending.Count == 0) return;
        HubTelemetry.WriterRoundTrips.Add(1);
        Run(last: null, readLast: null);
    }

    /// <summary>Forgets the waiting statements (their write item is being undone).</summary>
    public void Discard()
    {
        _pending.Clear();
        _reads.Clear();
    }

    /// <summary>Runs <paramref name="command"/> after the waiting statements, in one round trip; its affected rows.</summary>
    internal int ExecuteNonQuery(NpgsqlCommand command)
    {
        HubTelemetry.WriterRoundTrips.Add(1);
        if (_pending.Count == 0) return command.ExecuteNonQuery();
        var last = Copy(command.CommandText, command.Parameters);
        Run(last, readLast: null);
        return last.RecordsAffected > int.MaxValue ? int.MaxValue : (int)last.RecordsAffected;
    }

    /// <summary>
    /// Runs <paramref name="command"/> after the waiting statements, in one round trip, and reads its rows to the end
    /// into <paramref name="read"/>. The waiting writes return no rows; the waiting reads' rows go to their handles first.
    /// </summary>
    internal void ExecuteReader(NpgsqlCommand command, Action<NpgsqlDataReader> read)
    {
        HubTelemetry.WriterRoundTrips.Add(1);
        if (_pending.Count == 0)
        {
            using var reader = command.ExecuteReader();
            read(reader);
            return;
        }
        Run(Copy(command.CommandText, command.Parameters), read);
    }

    /// <summary>
    /// Sends the waiting statements and <paramref name="last"/> as one batch. The results come in the batch's order, each
    /// statement that returns rows one result: the waiting reads' first, then <paramref name="last"/>'s when it is read.
    /// A failure of any statement but <paramref name="last"/> is a <see cref="DeferredWriteException"/>.
    /// </summary>
    private void Run(NpgsqlBatchCommand? last, Action<NpgsqlDataReader>? readLast)
    {
        var reads = _reads.ToArray();
        _reads.Clear();
        using var batch = new NpgsqlBatch(_connection);
        foreach (var command in _pending) batch.BatchCommands.Add(command);
        _pending.Clear();
        if (last is not null) batch.BatchCommands.Add(last);
        try
        {
            if (reads.Length == 0 && readLast is null)
            {
                batch.ExecuteNonQuery();
                return;
            }
            using var reader = batch.ExecuteReader();
            for (var i = 0; i < reads.Length; i++)
            {
                if (i > 0) reader.NextResult();
                reads[i].Fill(PostgresWriterStatement.ReadAll(reader));
            }
            if (readLast is not null)
            {
                if (reads.Length > 0) reader.NextResult();
                readLast(reader);
            }
            while (reader.NextResult()) { } // the batch's last statements run to their end before the reader closes
        }
        catch (NpgsqlException ex) when (last is null || !ReferenceEquals(ex.BatchCommand, last))
        {
            throw new DeferredWriteException(ex);
        }
    }

    private static NpgsqlBatchCommand Copy(string sql, NpgsqlParameterCollection parameters)
    {
        var copy = new NpgsqlBatchCommand(sql);
        foreach (NpgsqlParameter parameter in parameters) copy.Parameters.Add(parameter.Clone());
        return copy;
    }

    /// <summary>Sends the waiting statements before any EF Core command on the connection.</summary>
    private sealed class SendFirstInterceptor(PostgresWriterPipeline pipeline) : DbCommandInterceptor
    {
        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return result;
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return result;
        }

        public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return result;
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
            CancellationToken cancellationToken = default)
        {
            HubTelemetry.WriterRoundTrips.Add(1);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            pipeline.Send();
            return result;
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            pipeline.Send();
            return result;
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            pipeline.Send();
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            pipeline.Send();
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            pipeline.Send();
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            pipeline.Send();
            return ValueTask.FromResult(result);
        }
    }
}

/// <summary>
/// A deferred statement of the writer (<see cref="WriterStatement.ExecuteDeferred"/>) failed when it was sent. The
/// database's error is the inner exception; <see cref="StoreDialect.IsUniqueViolation"/> does not look through this one, so
/// code that maps a unique key's refusal of its own statement never takes a deferred statement's for it.
/// </summary>
public sealed class DeferredWriteException(NpgsqlException inner)
    : Exception($"a deferred write failed: {inner.Message} ({FirstWords(inner.BatchCommand?.CommandText)})", inner)
{
    private static string FirstWords(string? sql) => sql is null ? "statement unknown" : sql.Length <= 60 ? sql : sql[..60] + "…";
}
