using Npgsql;
using NpgsqlTypes;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// A <see cref="WriterStatement"/> on PostgreSQL: one <see cref="NpgsqlCommand"/> of the writer's connection, its SQL
/// translated once (<see cref="PostgresSql"/>), its parameters typed by the value bound (Npgsql prepares it automatically
/// after a few runs: <c>Max Auto Prepare</c> of the writer's connection). Its rows are read to the end at once and the
/// Npgsql reader closed, so a write item may run another statement while it walks them (one connection runs one
/// command at a time; SQLite had no such limit). PostgreSQL's errors surface as <see cref="PostgresException"/>.
/// <see cref="ExecuteDeferred"/> queues the statement in the connection's <see cref="PostgresWriterPipeline"/>, which every
/// other run of a statement of the connection sends first, in the same round trip.
/// </summary>
public sealed class PostgresWriterStatement : WriterStatement
{
    private readonly NpgsqlCommand _command;
    private readonly Dictionary<string, NpgsqlParameter> _parameters = new(StringComparer.Ordinal);
    private readonly PostgresWriterPipeline _pipeline;
    private readonly bool _returnsRows;

    internal PostgresWriterStatement(NpgsqlConnection connection, string sql)
    {
        Sql = sql;
        _command = new NpgsqlCommand(PostgresSql.Translate(sql), connection);
        _pipeline = PostgresWriterPipeline.Of(connection);
        var text = sql.TrimStart();
        _returnsRows = text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("WITH", StringComparison.OrdinalIgnoreCase)
            || sql.Contains("RETURNING", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public override string Sql { get; }

    /// <summary>The writer's transaction, set for every run (Npgsql commands carry it).</summary>
    internal NpgsqlTransaction? Transaction
    {
        set => _command.Transaction = value;
    }

    /// <inheritdoc />
    public override WriterStatement Bind(string name, string? value) => Set(name, NpgsqlDbType.Text, value);

    /// <inheritdoc />
    public override WriterStatement Bind(string name, long value) => Set(name, NpgsqlDbType.Bigint, value);

    /// <inheritdoc />
    public override WriterStatement Bind(string name, long? value) => Set(name, NpgsqlDbType.Bigint, value);

    /// <inheritdoc />
    public override WriterStatement Bind(string name, double? value) => Set(name, NpgsqlDbType.Double, value);

    /// <inheritdoc />
    public override WriterStatement Bind(string name, byte[]? value) => Set(name, NpgsqlDbType.Bytea, value);

    private PostgresWriterStatement Set(string name, NpgsqlDbType type, object? value)
    {
        if (!_parameters.TryGetValue(name, out var parameter))
        {
            parameter = new NpgsqlParameter(PostgresSql.ParameterName(name), type);
            _command.Parameters.Add(parameter);
            _parameters[name] = parameter;
        }
        parameter.Value = value ?? DBNull.Value;
        return this;
    }

    /// <inheritdoc />
    public override int ExecuteNonQuery() => _pipeline.ExecuteNonQuery(_command);

    /// <summary>
    /// Queues the statement in the connection's <see cref="PostgresWriterPipeline"/>: it is sent with the next statement
    /// that runs on the connection. A statement that returns rows cannot be deferred (its rows would be taken for the next one's).
    /// </summary>
    public override void ExecuteDeferred()
    {
        if (_returnsRows) throw new InvalidOperationException($"a statement that returns rows cannot be deferred: {Sql}");
        _pipeline.Enqueue(_command.CommandText, _command.Parameters);
    }

    /// <inheritdoc />
    public override WriterRows ExecuteReader()
    {
        BufferedWriterRows? rows = null;
        _pipeline.ExecuteReader(_command, reader => rows = ReadAll(reader));
        return rows!;
    }

    /// <summary>
    /// Queues the read in the connection's <see cref="PostgresWriterPipeline"/>: it goes to the server with the next
    /// statement sent, or when its rows are asked for.
    /// </summary>
    public override WriterRowsAhead ReadAhead()
    {
        if (!_returnsRows) throw new InvalidOperationException($"a statement that returns no rows is not read ahead: {Sql}");
        return _pipeline.EnqueueRead(_command.CommandText, _command.Parameters);
    }

    /// <summary>Reads the current result's rows to their end, their values as SQLite's storage classes hold them.</summary>
    internal static BufferedWriterRows ReadAll(NpgsqlDataReader reader)
    {
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Normalize(reader.GetValue(i));
            rows.Add(row);
        }
        return new BufferedWriterRows(rows);
    }

    /// <summary>A value as SQLite's storage classes hold it: every integer (and a boolean) as long.</summary>
    private static object Normalize(object value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        bool b => b ? 1L : 0L,
        decimal d when d == decimal.Truncate(d) => (long)d,
        decimal d => (double)d,
        float f => (double)f,
        _ => value,
    };

    /// <inheritdoc />
    public override void Dispose() => _command.Dispose();
}
