using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace EBakul.Benchmarks;

/// <summary>
/// The PostgreSQL server the <c>pg-*</c> scenarios run on: a throwaway cluster started with
/// <c>scripts/postgres-cluster.sh</c> in a temporary folder (stopped and removed when disposed), or an existing server
/// given by <c>--postgres CONNECTION</c>. Every hub of the run gets a fresh database of its own on it.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _clusterFolder;

    private PostgresServer(string connectionString, string? clusterFolder)
    {
        ConnectionString = connectionString;
        _clusterFolder = clusterFolder;
    }

    /// <summary>The connection string of the server's maintenance database.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The server's own processes (postmaster, background writers, the hubs' backends), for the CPU time and bytes written
    /// on the database's side; only known for a cluster this run started.
    /// </summary>
    public DatabaseServerUsage? Usage { get; private set; }

    /// <summary>Uses <paramref name="connectionString"/>, or starts a throwaway cluster when it is null.</summary>
    public static async Task<PostgresServer> StartAsync(string? connectionString, TextWriter log)
    {
        if (connectionString is not null) return new PostgresServer(connectionString, null);
        var folder = Path.Combine(Path.GetTempPath(), "ebakul-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        log.WriteLine($"starting a throwaway PostgreSQL cluster (scripts/postgres-cluster.sh) ...");
        var script = Path.Combine(BenchmarkOptions.RepoRoot(), "scripts", "postgres-cluster.sh");
        var started = await RunAsync(script, "start", folder);
        var server = new PostgresServer(started.Trim(), folder);
        var pid = int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        server.Usage = new DatabaseServerUsage(pid);
        log.WriteLine($"  PostgreSQL serving (postmaster pid {pid})");
        return server;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "ebakul_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Asks the server for a checkpoint: the data pages a scenario dirtied are written while it is measured.</summary>
    public async Task CheckpointAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection);
        checkpoint.CommandTimeout = 600;
        await checkpoint.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterFolder is null) return;
        await RunAsync(Path.Combine(BenchmarkOptions.RepoRoot(), "scripts", "postgres-cluster.sh"), "stop", _clusterFolder);
        try { Directory.Delete(_clusterFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not run " + script);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return await output;
    }
}

/// <summary>
/// CPU time and bytes written by a PostgreSQL server: its postmaster and every process it started (backends, WAL
/// writer, checkpointer, background writer), from Linux's /proc. A backend that exits between two readings takes its
/// figures with it; the hubs keep their pooled connections, so their backends live through a scenario.
/// </summary>
/// <param name="PostmasterId">The postmaster's process id.</param>
public sealed record DatabaseServerUsage(int PostmasterId)
{
    /// <summary>CPU time (user + system) and bytes written of the server's processes so far.</summary>
    public (TimeSpan Cpu, long BytesWritten) Read()
    {
        var cpu = TimeSpan.Zero;
        long written = 0;
        foreach (var pid in ServerProcesses())
        {
            var usage = new ProcessUsage(pid);
            cpu += usage.CpuTime().Total;
            written += usage.BytesWritten();
        }
        return (cpu, written);
    }

    private IEnumerable<int> ServerProcesses()
    {
        yield return PostmasterId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            // Field 4 of /proc/<pid>/stat, the parent's id, follows the command name in parentheses and the state.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) && parent == PostmasterId)
                yield return pid;
        }
    }
}
