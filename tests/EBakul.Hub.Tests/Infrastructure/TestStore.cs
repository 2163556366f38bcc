using System.Security.Cryptography;
using System.Text;
using EBakul.Hub.Data;
using EBakul.Hub.Data.Postgres;
using Npgsql;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// The store the test hubs run on: SQLite files by default; PostgreSQL when <c>EBAKUL_TEST_POSTGRES</c> holds the
/// connection string of a server (scripts/test.sh starts a throwaway cluster and runs the suite a second time so).
/// On PostgreSQL a hub's "database path" names a database of its own: the same path gives the same database (a test that
/// restarts a hub on its file gets its data back), a new path a fresh database, copied from a template migrated once
/// per test run.
/// </summary>
public static class TestStore
{
    /// <summary>The trait of tests about SQLite's files by nature (full disk, read-only files, WAL, the file's bytes).</summary>
    public const string SqliteOnly = "SqliteOnly";

    /// <summary>The server, when the tests run on PostgreSQL.</summary>
    public static string? PostgresServer { get; } = Environment.GetEnvironmentVariable("EBAKUL_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    /// <summary>Whether the tests run on PostgreSQL.</summary>
    public static bool IsPostgres => PostgresServer is not null;

    /// <summary>Real hub processes of the hub tests run on the same store as the in-process ones.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void UseForHubProcesses() => RestartableHubProcess.StoreSettings = SettingsFor;

    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? s_template;

    /// <summary>
    /// The settings that put a hub on the store for <paramref name="databasePath"/>: nothing on SQLite (the path is
    /// enough); on PostgreSQL the provider and the connection string of the path's database, created when new.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> SettingsFor(string databasePath)
    {
        if (!IsPostgres) return new Dictionary<string, string?>();
        return new Dictionary<string, string?>
        {
            ["Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["ConnectionStrings:Postgres"] = ConnectionStringFor(databasePath),
        };
    }

    /// <summary>The connection string of the database for <paramref name="databasePath"/>, created (migrated) when new.</summary>
    public static string ConnectionStringFor(string databasePath)
    {
        var name = "t_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(databasePath))))[..24];
        EnsureDatabase(name);
        // Small pools whose idle connections close soon: a test run makes hundreds of databases on one server.
        return new NpgsqlConnectionStringBuilder(PostgresServer)
        {
            Database = name, MaxPoolSize = 20, ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1,
        }.ConnectionString;
    }

    private static void EnsureDatabase(string name)
    {
        var template = Template();
        using var connection = new NpgsqlConnection(Admin(PostgresServer!));
        connection.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (exists.ExecuteScalar() is not null) return;
        using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {template}", connection);
        try
        {
            create.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }

    /// <summary>The run's migrated template database, made on first use.</summary>
    private static string Template()
    {
        if (s_template is { } made) return made;
        TemplateGate.Wait();
        try
        {
            if (s_template is { } again) return again;
            var name = $"t_template_{Environment.ProcessId}_{DateTime.UtcNow:HHmmss}";
            using (var connection = new NpgsqlConnection(Admin(PostgresServer!)))
            {
                connection.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                create.ExecuteNonQuery();
            }
            var target = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name, Pooling = false }.ConnectionString;
            using (var db = new PostgresHubDbContext(PostgresHubDbContext.Options(target)))
                HubMigrations.MigrateAsync(db, CancellationToken.None).GetAwaiter().GetResult();
            s_template = name;
            return name;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    /// <summary>The hub's database options for <paramref name="databasePath"/> on the run's store (for a writer of its own).</summary>
    public static DatabaseOptions DatabaseOptionsFor(string databasePath) => IsPostgres
        ? new DatabaseOptions { Path = databasePath, Provider = DatabaseProvider.Postgres, PostgresConnectionString = ConnectionStringFor(databasePath) }
        : new DatabaseOptions { Path = databasePath };

    /// <summary>An open connection to the database of <paramref name="databasePath"/> on the run's store.</summary>
    public static System.Data.Common.DbConnection Open(string databasePath)
    {
        System.Data.Common.DbConnection connection = IsPostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionStringFor(databasePath)) { Pooling = false }.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The names of the database's tables (the migrations' history included).</summary>
    public static List<string> Tables(System.Data.Common.DbConnection connection)
    {
        using var list = connection.CreateCommand();
        list.CommandText = connection is NpgsqlConnection
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        using var reader = list.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
    }

    private static string Admin(string server) => new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
}

/// <summary>
/// A test about SQLite's files by nature (a full disk, read-only files, the WAL, the bytes of the file, SQLite's own
/// migrations of a first-release file): skipped, with the reason, when the run is on PostgreSQL.
/// </summary>
public sealed class SqliteOnlyFactAttribute : FactAttribute
{
    /// <summary>Skips the test on PostgreSQL, saying <paramref name="reason"/>.</summary>
    public SqliteOnlyFactAttribute(string reason)
    {
        if (TestStore.IsPostgres) Skip = $"SQLite only: {reason}";
    }
}

/// <summary>A test of several hub processes on one database, which only PostgreSQL serves: skipped on SQLite.</summary>
public sealed class PostgresOnlyFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless the run is on PostgreSQL.</summary>
    public PostgresOnlyFactAttribute()
    {
        if (!TestStore.IsPostgres) Skip = "PostgreSQL only: hub replicas on one database (scripts/test.sh runs it on a throwaway cluster)";
    }
}
