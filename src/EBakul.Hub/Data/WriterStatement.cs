using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EBakul.Hub.Data;

/// <summary>
/// One SQL statement of a writing connection, prepared once for the life of the connection: the writer's hot path binds
/// values by name and runs it again and again. Two stores implement it: <see cref="SqliteWriterStatement"/> (straight on
/// SQLite's C API) and <see cref="Postgres.PostgresWriterStatement"/> (an Npgsql command). The SQL is written once, with
/// <c>$name</c> parameters; what PostgreSQL reads differently is translated in one place, <see cref="Postgres.PostgresSql"/>.
/// <para>
/// Bound values stay bound until they are bound again: bind every parameter before each execution. Values come back as
/// SQLite's storage classes on both stores: integers (of any width, and booleans as 1 or 0) as <see cref="long"/>.
/// </para>
/// </summary>
public abstract class WriterStatement : IDisposable
{
    /// <summary>The statement's SQL as written.</summary>
    public abstract string Sql { get; }

    /// <summary>Binds text, or NULL.</summary>
    public abstract WriterStatement Bind(string name, string? value);

    /// <summary>Binds an integer.</summary>
    public abstract WriterStatement Bind(string name, long value);

    /// <summary>Binds an integer, or NULL.</summary>
    public abstract WriterStatement Bind(string name, long? value);

    /// <summary>Binds an integer.</summary>
    public WriterStatement Bind(string name, int value) => Bind(name, (long)value);

    /// <summary>Binds an integer, or NULL.</summary>
    public WriterStatement Bind(string name, int? value) => Bind(name, (long?)value);

    /// <summary>Binds a boolean as 1 or 0 (flags are integer columns on both stores).</summary>
    public WriterStatement Bind(string name, bool value) => Bind(name, value ? 1L : 0L);

    /// <summary>Binds a real number, or NULL.</summary>
    public abstract WriterStatement Bind(string name, double? value);

    /// <summary>Binds a blob, or NULL.</summary>
    public abstract WriterStatement Bind(string name, byte[]? value);

    /// <summary>Runs the statement to its end; returns how many rows it inserted, updated or deleted.</summary>
    public abstract int ExecuteNonQuery();

    /// <summary>
    /// Runs a statement whose outcome the caller does not read (no rows, no count): on SQLite at once, as
    /// <see cref="ExecuteNonQuery"/>; on PostgreSQL it may wait and go to the server with the writer's next statement, in
    /// one round trip (<see cref="Postgres.PostgresWriterPipeline"/>). Whatever runs next on the writer's connection sees
    /// its effect. Its failure then surfaces later in the same write item or group of items, which the writer undoes as a
    /// whole, as a <see cref="Postgres.DeferredWriteException"/>: defer only a statement whose failure the caller would not
    /// catch and answer itself (a unique key it expects to refuse a row is a statement to run at once).
    /// </summary>
    public virtual void ExecuteDeferred() => ExecuteNonQuery();

    /// <summary>The first column of the first row (null when there is no row, or the value is NULL); runs the statement to its end.</summary>
    public object? ExecuteScalar()
    {
        using var rows = ExecuteReader();
        if (!rows.Read()) return null;
        var value = rows.GetValue(0);
        while (rows.Read()) { }
        return value;
    }

    /// <summary>
    /// Starts the statement and returns its rows; disposing them resets the statement. The statement has one reader:
    /// dispose it before the statement runs again.
    /// </summary>
    public abstract WriterRows ExecuteReader();

    /// <summary>
    /// Runs a read whose rows the caller takes a little later (<see cref="WriterRowsAhead.Rows"/>), so that several reads
    /// that do not depend on each other's answers go to the server together: on SQLite at once (its rows kept); on
    /// PostgreSQL it waits in the writer's pipeline (<see cref="Postgres.PostgresWriterPipeline"/>) and goes with the next
    /// statement sent, or when its rows are asked for, in one round trip with everything that waits. It sees what the
    /// statements before it wrote, and nothing of those after it.
    /// </summary>
    public virtual WriterRowsAhead ReadAhead()
    {
        using var rows = ExecuteReader();
        return WriterRowsAhead.Of(BufferedWriterRows.ReadAll(rows));
    }

    /// <summary>Releases the statement.</summary>
    public abstract void Dispose();
}

/// <summary>The rows of a running <see cref="WriterStatement"/>; disposing them resets the statement.</summary>
public abstract class WriterRows : IDisposable
{
    /// <summary>Moves to the next row; false when there is none.</summary>
    public abstract bool Read();

    /// <summary>Whether the column of the current row is NULL.</summary>
    public abstract bool IsDBNull(int column);

    /// <summary>The column as text.</summary>
    public abstract string GetString(int column);

    /// <summary>The column as an integer.</summary>
    public abstract long GetInt64(int column);

    /// <summary>The column as a 32-bit integer.</summary>
    public int GetInt32(int column) => checked((int)GetInt64(column));

    /// <summary>The column as a real number.</summary>
    public abstract double GetDouble(int column);

    /// <summary>The column as a blob (a copy).</summary>
    public abstract byte[] GetBlob(int column);

    /// <summary>The column as SQLite's storage classes: long, double, string, byte[], or null.</summary>
    public abstract object? GetValue(int column);

    /// <summary>How many columns the rows have.</summary>
    public abstract int FieldCount { get; }

    /// <summary>Resets the statement for its next run.</summary>
    public abstract void Dispose();
}

/// <summary>
/// The rows of a read started with <see cref="WriterStatement.ReadAhead"/>: asked for once it has run (on PostgreSQL, asking
/// sends what waits in the writer's pipeline when it has not gone yet).
/// </summary>
public sealed class WriterRowsAhead
{
    private readonly Action? _send;
    private BufferedWriterRows? _rows;

    private WriterRowsAhead(Action? send, BufferedWriterRows? rows)
    {
        _send = send;
        _rows = rows;
    }

    /// <summary>A read already run.</summary>
    internal static WriterRowsAhead Of(BufferedWriterRows rows) => new(null, rows);

    /// <summary>A read that runs when <paramref name="send"/> sends it (or earlier, with another statement).</summary>
    internal static WriterRowsAhead Later(Action send) => new(send, null);

    /// <summary>Keeps the read's rows once it has run.</summary>
    internal void Fill(BufferedWriterRows rows) => _rows = rows;

    /// <summary>The read's rows, from the first.</summary>
    public WriterRows Rows
    {
        get
        {
            if (_rows is null) _send?.Invoke();
            return _rows ?? throw new InvalidOperationException("the read was discarded before it ran (its write was undone)");
        }
    }
}

/// <summary>Rows read to their end and kept, their values as SQLite's storage classes (<see cref="WriterRows.GetValue"/>).</summary>
internal sealed class BufferedWriterRows(List<object?[]> rows) : WriterRows
{
    private int _index = -1;

    /// <summary>Reads every row of <paramref name="source"/>.</summary>
    public static BufferedWriterRows ReadAll(WriterRows source)
    {
        var rows = new List<object?[]>();
        while (source.Read())
        {
            var row = new object?[source.FieldCount];
            for (var column = 0; column < row.Length; column++) row[column] = source.GetValue(column);
            rows.Add(row);
        }
        return new BufferedWriterRows(rows);
    }

    private object? this[int column] => rows[_index][column];

    public override bool Read() => ++_index < rows.Count;

    public override bool IsDBNull(int column) => this[column] is null;

    public override string GetString(int column) => this[column] as string ?? Convert.ToString(this[column], System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public override long GetInt64(int column) => Convert.ToInt64(this[column], System.Globalization.CultureInfo.InvariantCulture);

    public override double GetDouble(int column) => Convert.ToDouble(this[column], System.Globalization.CultureInfo.InvariantCulture);

    public override byte[] GetBlob(int column) => (byte[])this[column]!;

    public override object? GetValue(int column) => this[column];

    public override int FieldCount => rows.Count == 0 ? 0 : rows[0].Length;

    public override void Dispose()
    {
    }
}

/// <summary>
/// A <see cref="WriterStatement"/> of a SQLite writing connection (the <see cref="DatabaseWriter"/>'s, the demo loader's), prepared once for
/// the life of the connection and run straight on SQLite. The writer runs the same few statements for every recorded
/// purchase and imported row, the loader for millions of rows; going through
/// <see cref="SqliteCommand"/> there cost a UTF-8 copy and a name search of every parameter on every execution, and
/// a reader object per query. Here a parameter's position is found once (parameter names are interned, so a name
/// written as a literal is found by reference), values are bound straight into the statement, and the one reader
/// of the statement is reused. SQLite errors surface as <see cref="SqliteException"/>, as they would from a command.
/// </summary>
public sealed class SqliteWriterStatement : WriterStatement
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly string[] _parameterNames;
    private readonly SqliteWriterRows _rows;

    internal SqliteWriterStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail);
        SqliteException.ThrowExceptionForRC(rc, _db);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException($"a writer statement is one SQL statement; this has more after '{sql[..^tail.Length]}'", nameof(sql));
        }
        _parameterNames = new string[raw.sqlite3_bind_parameter_count(_statement)];
        for (var i = 0; i < _parameterNames.Length; i++)
            _parameterNames[i] = string.Intern(raw.sqlite3_bind_parameter_name(_statement, i + 1).utf8_to_string() ?? "");
        _rows = new SqliteWriterRows(this);
        Sql = sql;
    }

    /// <inheritdoc />
    public override string Sql { get; }

    /// <inheritdoc />
    public override WriterStatement Bind(string name, string? value)
    {
        if (value is null) return Check(raw.sqlite3_bind_null(_statement, IndexOf(name)));
        // Encoded here, not by SQLite: .NET's UTF-8 encoder is vectorized, SQLite's UTF-16 translation goes a character at
        // a time (it showed for the megabyte-long JSON parameters of the bulk statements). SQLite copies the bytes.
        // A short text is encoded on the stack; a long one (the JSON rows of a bulk statement) in a pooled buffer.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = length > StackTextBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[StackTextBytes] : rented;
            var written = Encoding.UTF8.GetBytes(value, buffer);
            return Check(raw.sqlite3_bind_text(_statement, IndexOf(name), buffer[..written]));
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Texts whose UTF-8 form surely fits in this many bytes are encoded on the stack.</summary>
    private const int StackTextBytes = 1024;

    /// <inheritdoc />
    public override WriterStatement Bind(string name, long value) => Check(raw.sqlite3_bind_int64(_statement, IndexOf(name), value));

    /// <inheritdoc />
    public override WriterStatement Bind(string name, long? value) =>
        value is { } v ? Bind(name, v) : Check(raw.sqlite3_bind_null(_statement, IndexOf(name)));

    /// <inheritdoc />
    public override WriterStatement Bind(string name, double? value) =>
        Check(value is { } v ? raw.sqlite3_bind_double(_statement, IndexOf(name), v) : raw.sqlite3_bind_null(_statement, IndexOf(name)));

    /// <inheritdoc />
    public override WriterStatement Bind(string name, byte[]? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, IndexOf(name)) : raw.sqlite3_bind_blob(_statement, IndexOf(name), value));

    /// <inheritdoc />
    public override int ExecuteNonQuery()
    {
        int rc;
        while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW) { }
        if (rc != raw.SQLITE_DONE) Fail(rc);
        var changes = raw.sqlite3_changes(_db);
        raw.sqlite3_reset(_statement);
        return changes;
    }

    /// <inheritdoc />
    public override WriterRows ExecuteReader() => _rows;

    /// <summary>Finalizes the statement.</summary>
    public override void Dispose() => _statement.Dispose();

    /// <summary>Steps to the next row: true on a row, false at the end.</summary>
    internal bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc != raw.SQLITE_DONE) Fail(rc);
        return false;
    }

    internal sqlite3_stmt Handle => _statement;

    internal void Reset() => raw.sqlite3_reset(_statement);

    private int IndexOf(string name)
    {
        var names = _parameterNames;
        for (var i = 0; i < names.Length; i++)
            if (ReferenceEquals(names[i], name)) return i + 1;
        for (var i = 0; i < names.Length; i++)
            if (string.Equals(names[i], name, StringComparison.Ordinal)) return i + 1;
        throw new ArgumentException($"the statement has no parameter {name}: {Sql}", nameof(name));
    }

    private SqliteWriterStatement Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
        return this;
    }

    private void Fail(int rc)
    {
        // sqlite3_reset returns the statement's error too; the connection's message describes it.
        raw.sqlite3_reset(_statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }
}

/// <summary>The rows of a running <see cref="SqliteWriterStatement"/>, read straight from the statement.</summary>
public sealed class SqliteWriterRows : WriterRows
{
    private readonly SqliteWriterStatement _statement;

    internal SqliteWriterRows(SqliteWriterStatement statement) => _statement = statement;

    /// <inheritdoc />
    public override bool Read() => _statement.Step();

    /// <inheritdoc />
    public override bool IsDBNull(int column) => raw.sqlite3_column_type(_statement.Handle, column) == raw.SQLITE_NULL;

    /// <inheritdoc />
    public override string GetString(int column) => raw.sqlite3_column_text(_statement.Handle, column).utf8_to_string() ?? "";

    /// <inheritdoc />
    public override long GetInt64(int column) => raw.sqlite3_column_int64(_statement.Handle, column);

    /// <inheritdoc />
    public override double GetDouble(int column) => raw.sqlite3_column_double(_statement.Handle, column);

    /// <inheritdoc />
    public override byte[] GetBlob(int column) => raw.sqlite3_column_blob(_statement.Handle, column).ToArray();

    /// <inheritdoc />
    public override object? GetValue(int column) => raw.sqlite3_column_type(_statement.Handle, column) switch
    {
        raw.SQLITE_INTEGER => GetInt64(column),
        raw.SQLITE_FLOAT => GetDouble(column),
        raw.SQLITE_TEXT => GetString(column),
        raw.SQLITE_BLOB => GetBlob(column),
        _ => null,
    };

    /// <inheritdoc />
    public override int FieldCount => raw.sqlite3_column_count(_statement.Handle);

    /// <inheritdoc />
    public override void Dispose() => _statement.Reset();
}
