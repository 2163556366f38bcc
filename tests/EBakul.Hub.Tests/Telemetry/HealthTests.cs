using System.Net;
using System.Text.Json;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// Liveness and readiness (<c>/health/live</c>, <c>/health/ready</c> and gRPC health): a database without this build's
/// migrations is not ready, an outbox whose oldest undelivered adjustment is older than the limit is degraded with the
/// reason. (A writer that cannot commit is not ready either: Faults/FullDiskTests.)
/// </summary>
public sealed class HealthTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_database_lacking_a_migration_is_not_ready_while_the_process_stays_live()
    {
        _ = _hub.Services;
        string removed;
        await using (var connection = TestStore.Open(_hub.DatabasePath))
        {
            await using var latest = connection.CreateCommand();
            latest.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" DESC LIMIT 1";
            removed = (string)(await latest.ExecuteScalarAsync())!;
            await using var delete = connection.CreateCommand();
            delete.CommandText = $"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '{removed}'";
            await delete.ExecuteNonQueryAsync();
        }

        var (status, ready) = await ProbeAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
        var database = ready.GetProperty("checks").GetProperty("database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.Contains(removed, database.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ProbeAsync("/health/live")).Status);

        var health = new Health.HealthClient(_hub.ChannelFor(null));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
            (await health.CheckAsync(new HealthCheckRequest { Service = HubTelemetryExtensions.ReadinessService })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest { Service = HubTelemetryExtensions.LivenessService })).Status);
    }

    [Fact]
    public async Task An_undelivered_adjustment_older_than_the_limit_makes_readiness_degraded_with_the_reason()
    {
        _hub.Settings["Telemetry:Outbox:MaxAge"] = "06:00:00";
        var arrange = new PayrollArrange(_hub);
        await arrange.Quota.EmployeeAsync(tppCeiling: 3_000_000, office: PayrollArrange.Health);
        Assert.Equal(1, (await arrange.CloseAsync(PayrollArrange.September, asItIs: true)).AdjustmentsCreated);
        // Nobody pulls it (this hub does not push): seven hours later it is still waiting.
        _hub.Clock.Advance(TimeSpan.FromHours(7));

        var (status, ready) = await ProbeAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        var outbox = ready.GetProperty("checks").GetProperty("outbox");
        Assert.Equal("Degraded", outbox.GetProperty("status").GetString());
        Assert.StartsWith("OUTBOX_STALE: the oldest of 1 undelivered adjustments is 7 h old (limit 6 h)", outbox.GetProperty("reason").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        // Degraded is still ready to serve calls.
        var health = new Health.HealthClient(_hub.ChannelFor(null));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ProbeAsync(string path)
    {
        using var client = _hub.CreateClient();
        using var response = await client.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }
}
