using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// The statements of the writer's PostgreSQL connection whose results nobody reads (<see cref="WriterStatement.ExecuteDeferred"/>):
/// they wait here and go to the server in one <see cref="NpgsqlBatch"/> with the connection's next statement (a read that
/// needs its rows, a savepoint's release), or when the writer sends them before it commits. A purchase's writes then cost
/// the round trips of its reads only, not one each. Whatever runs next on the connection runs after them: a writer
/// statement takes them along; an EF Core command of the writer's contexts sends them first (<see cref="Interceptor"/>).
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
    internal void Enqueue(string sql, NpgsqlParameterCollection parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (NpgsqlParameter parameter in parameters) command.Parameters.Add(parameter.Clone());
        _pending.Add(command);
    }

    /// <summary>Sends the waiting statements now (one round trip), if there are any.</summary>
    public void Send()
    {
        if (_pending.Count == 0) return;
        using var batch = TakeBatch(last: null);
        try
        {
            batch.ExecuteNonQuery();
        }
        catch (NpgsqlException ex)
        {
            throw new DeferredWriteException(ex);
        }
    }

    /// <summary>Forgets the waiting statements (their write item is being undone).</summary>
    public void Discard() => _pending.Clear();

    /// <summary>Runs <paramref name="command"/> after the waiting statements, in one round trip; its affected rows.</summary>
    internal int ExecuteNonQuery(NpgsqlCommand command)
    {
        if (_pending.Count == 0) return command.ExecuteNonQuery();
        var last = Copy(command);
        using var batch = TakeBatch(last);
        try
        {
            batch.ExecuteNonQuery();
        }
        catch (NpgsqlException ex) when (!ReferenceEquals(ex.BatchCommand, last))
        {
            throw new DeferredWriteException(ex);
        }
        return last.RecordsAffected > int.MaxValue ? int.MaxValue : (int)last.RecordsAffected;
    }

    /// <summary>
    /// Runs <paramref name="command"/> after the waiting statements, in one round trip, and reads its rows to the end
    /// into <paramref name="read"/>. The waiting statements return no rows, so the batch's one result is the command's.
    /// </summary>
    internal void ExecuteReader(NpgsqlCommand command, Action<NpgsqlDataReader> read)
    {
        if (_pending.Count == 0)
        {
            using var reader = command.ExecuteReader();
            read(reader);
            return;
        }
        var last = Copy(command);
        using var batch = TakeBatch(last);
        try
        {
            using var reader = batch.ExecuteReader();
            read(reader);
        }
        catch (NpgsqlException ex) when (!ReferenceEquals(ex.BatchCommand, last))
        {
            throw new DeferredWriteException(ex);
        }
    }

    private NpgsqlBatch TakeBatch(NpgsqlBatchCommand? last)
    {
        var batch = new NpgsqlBatch(_connection);
        foreach (var command in _pending) batch.BatchCommands.Add(command);
        _pending.Clear();
        if (last is not null) batch.BatchCommands.Add(last);
        return batch;
    }

    private static NpgsqlBatchCommand Copy(NpgsqlCommand command)
    {
        var copy = new NpgsqlBatchCommand(command.CommandText);
        foreach (NpgsqlParameter parameter in command.Parameters) copy.Parameters.Add(parameter.Clone());
        return copy;
    }

    /// <summary>Sends the waiting statements before any EF Core command on the connection.</summary>
    private sealed class SendFirstInterceptor(PostgresWriterPipeline pipeline) : DbCommandInterceptor
    {
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
