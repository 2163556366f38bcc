using System.Diagnostics;
using EBakul.Hub.Tests.Infrastructure;
using Npgsql;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>
/// The hub's admin commands run as an operator runs them (the built <c>EBakul.Hub.dll</c> as its own process): only
/// <c>migrate</c> creates a database; any other command on a missing or unmigrated one, an evidence export onto a file
/// that exists, or of a month still open, says what is wrong in one line and exits non-zero, changing nothing.
/// </summary>
public sealed class AdminCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ebakul-commands-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>What one command printed and how it ended.</summary>
    private sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs <c>dotnet EBakul.Hub.dll</c> with <paramref name="args"/> in the test's folder.</summary>
    private async Task<CommandResult> RunAsync(params IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _folder,
        };
        start.ArgumentList.Add(RestartableHubProcess.FindHubDll());
        foreach (var argument in args) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The settings of the database at <paramref name="databasePath"/> on the run's store, made and migrated by <c>migrate</c>.</summary>
    private async Task<List<string>> MigratedDatabaseAsync(string databasePath)
    {
        var settings = StoreArguments(databasePath);
        var migrated = await RunAsync(["migrate", .. settings]);
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        return settings;
    }

    private static List<string> StoreArguments(string databasePath) =>
        [$"--Database:Path={databasePath}", .. TestStore.SettingsFor(databasePath).Select(s => $"--{s.Key}={s.Value}")];

    /// <summary>Asserts a refusal: non-zero exit, one line <c>error: ...</c> on standard error (nothing else), nothing on standard output.</summary>
    private static string AssertRefused(CommandResult result, int exitCode = 1)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), result.ToString());
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal("", result.Stdout);
        return lines[0];
    }

    [Fact]
    public async Task A_command_on_a_missing_database_says_so_and_creates_none()
    {
        string[] export = ["evidence", "export", "--regency", "35.22", "--period", "2025-09", "--out", "package.jsonl"];
        if (!TestStore.IsPostgres)
        {
            // No --Database:Path: the default data/ebakul.db under the working folder, which does not exist.
            var error = AssertRefused(await RunAsync(export));
            Assert.Contains("no database at", error);
            Assert.False(Directory.Exists(Path.Combine(_folder, "data")), "the command created the database's folder");
            AssertRefused(await RunAsync("callers", "list", $"--Database:Path={Path.Combine(_folder, "hub.db")}"));
            Assert.False(File.Exists(Path.Combine(_folder, "hub.db")), "the command created a database");
        }
        else
        {
            var name = $"t_missing_{Guid.NewGuid():N}"[..30];
            var missing = new NpgsqlConnectionStringBuilder(TestStore.PostgresServer) { Database = name }.ConnectionString;
            var error = AssertRefused(await RunAsync([.. export, "--Database:Provider=Postgres", $"--ConnectionStrings:Postgres={missing}"]));
            Assert.Contains("does not exist", error);
            Assert.False(PostgresDatabaseExists(name));
        }
        Assert.False(File.Exists(Path.Combine(_folder, "package.jsonl")), "an export of no database wrote a package");
    }

    [Fact]
    public async Task A_command_on_an_empty_database_says_it_lacks_the_migrations_and_creates_no_table()
    {
        var databasePath = Path.Combine(_folder, "empty.db");
        List<string> settings;
        if (!TestStore.IsPostgres)
        {
            File.WriteAllBytes(databasePath, []);
            settings = [$"--Database:Path={databasePath}"];
        }
        else
        {
            var name = $"t_empty_{Guid.NewGuid():N}"[..28];
            using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStore.PostgresServer) { Pooling = false }.ConnectionString))
            {
                admin.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
                create.ExecuteNonQuery();
            }
            settings = ["--Database:Provider=Postgres",
                $"--ConnectionStrings:Postgres={new NpgsqlConnectionStringBuilder(TestStore.PostgresServer) { Database = name, Pooling = false }}"];
            databasePath = name;
        }

        foreach (var command in new[] { new[] { "callers", "list" }, ["audit", "verify"],
                     ["evidence", "export", "--regency", "35.22", "--period", "2025-09", "--out", "package.jsonl"] })
            Assert.Contains("run 'migrate'", AssertRefused(await RunAsync([.. command, .. settings])));

        Assert.Empty(Tables(databasePath));
        Assert.False(File.Exists(Path.Combine(_folder, "package.jsonl")));
    }

    [Fact]
    public async Task An_export_onto_an_existing_file_is_refused_and_leaves_the_file_as_it_was()
    {
        var settings = await MigratedDatabaseAsync(Path.Combine(_folder, "hub.db"));
        var existing = Path.Combine(_folder, "existing.jsonl");
        await File.WriteAllTextAsync(existing, "an earlier package\n");

        var error = AssertRefused(await RunAsync(["evidence", "export", "--regency", "35.22", "--period", "2025-09", "--out", existing, "--allow-open", .. settings]));

        Assert.Contains("exists", error);
        Assert.Equal("an earlier package\n", await File.ReadAllTextAsync(existing));
    }

    [Fact]
    public async Task An_open_month_is_exported_only_when_asked_and_then_marked_provisional()
    {
        var settings = await MigratedDatabaseAsync(Path.Combine(_folder, "hub.db"));
        var package = Path.Combine(_folder, "open.jsonl");
        string[] export = ["evidence", "export", "--regency", "35.22", "--period", "2025-09", "--out", package];

        Assert.Contains("is OPEN", AssertRefused(await RunAsync([.. export, .. settings])));
        Assert.False(File.Exists(package));

        var allowed = await RunAsync([.. export, "--allow-open", .. settings]);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.StartsWith("PROVISIONAL", allowed.Stdout);
        Assert.Contains("\"provisional\":true", File.ReadLines(package).First());

        var verified = await RunAsync("evidence", "verify", package);
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.StartsWith("evidence intact, PROVISIONAL", verified.Stdout);
    }

    [Fact]
    public async Task Arguments_a_command_does_not_take_are_one_line_and_exit_2()
    {
        var settings = await MigratedDatabaseAsync(Path.Combine(_folder, "hub.db"));
        AssertRefused(await RunAsync(["evidence", "export", "--regency", "35.22", "--out", "x.jsonl", .. settings]), exitCode: 2);
        AssertRefused(await RunAsync("evidence", "verify", Path.Combine(_folder, "no-such-package.jsonl")));
    }

    private static bool PostgresDatabaseExists(string name)
    {
        using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStore.PostgresServer) { Pooling = false }.ConnectionString);
        admin.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        exists.Parameters.AddWithValue("name", name);
        return exists.ExecuteScalar() is not null;
    }

    /// <summary>The tables of the SQLite file, or of the PostgreSQL database named <paramref name="databasePathOrName"/>.</summary>
    private static List<string> Tables(string databasePathOrName)
    {
        if (!TestStore.IsPostgres)
        {
            using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePathOrName};Mode=ReadOnly;Pooling=False");
            sqlite.Open();
            return TestStore.Tables(sqlite);
        }
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStore.PostgresServer) { Database = databasePathOrName, Pooling = false }.ConnectionString);
        connection.Open();
        return TestStore.Tables(connection);
    }
}
