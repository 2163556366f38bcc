using System.Diagnostics;
using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// The writer after PostgreSQL restarts: its own connection, idle through the restart, still says Open until it is used.
/// The first write after the server is back must succeed (the connection is opened again, nothing having been sent), and
/// readiness must not stay down for a connection that broke while idle. On a cluster of the test's own
/// (scripts/postgres-cluster.sh start, crash, resume), since the run's shared cluster cannot be restarted under the
/// other tests.
/// </summary>
public sealed class PostgresRestartTests : IDisposable
{
    private readonly string _clusterFolder = Directory.CreateTempSubdirectory("ebakul-pg-restart-").FullName;
    private readonly string _script = Path.Combine(RestartableHubProcess.FindRepositoryRoot(), "scripts", "postgres-cluster.sh");

    public void Dispose()
    {
        Cluster("stop");
        Directory.Delete(_clusterFolder, recursive: true);
    }

    private string Cluster(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [_script, command, _clusterFolder])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 || command == "stop", $"postgres-cluster.sh {command}: {error}");
        return output.Trim();
    }

    [PostgresOnlyFact]
    public async Task The_first_write_after_an_immediate_restart_succeeds_and_readiness_stays_up()
    {
        var server = Cluster("start");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE hub", admin);
            await create.ExecuteNonQueryAsync();
        }
        using var hub = new HubFactory();
        hub.Settings["Database:Provider"] = "Postgres";
        hub.Settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(server)
        {
            Database = "hub", ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1,
        }.ConnectionString;
        var ledger = new LedgerArrange(hub);
        var merchant = await ledger.MerchantAsync();
        var nip = await ledger.EmployeeAsync();
        await ledger.RecordAsync(ledger.Draft(nip, merchant));

        Cluster("crash");
        Cluster("resume");
        // No traffic meanwhile; the pool's idle read connections are pruned after 2 s (the writer's own is not pooled).
        await Task.Delay(TimeSpan.FromSeconds(4));

        var purchase = await ledger.RecordAsync(ledger.Draft(nip, merchant));
        Assert.False(string.IsNullOrEmpty(purchase.PurchaseId));
        Assert.Null(hub.Services.GetRequiredService<DatabaseWriter>().Fault);
        // Ready again: the writer has no fault, and the schema check (read at most every ten seconds, so a probe during the
        // restart may be remembered that long) reads the database again.
        using var http = hub.CreateClient();
        var waited = Stopwatch.StartNew();
        HttpResponseMessage ready;
        while (!(ready = await http.GetAsync("/health/ready")).IsSuccessStatusCode && waited.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(500);
        Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync());
    }
}
