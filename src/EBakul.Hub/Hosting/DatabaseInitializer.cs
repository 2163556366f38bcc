using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Hosting;

/// <summary>
/// Runs before the server accepts calls: creates the database file's folder, applies the EF Core
/// migrations, seeds the reference data (with Bojonegoro's default quota policy), fills the
/// <see cref="RegencyDirectory"/>, creates the development credentials of an empty hub and loads the demo data
/// when asked to.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceProvider services, IOptions<DatabaseOptions> options, IConfiguration configuration, RegencyDirectory directory, ILogger<DatabaseInitializer> logger)
    : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await services.GetRequiredService<DevelopmentCredentials>().EnsureAsync(cancellationToken);

        var demo = services.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        var loaded = demo.Enabled ? await services.GetRequiredService<DemoDataLoader>().LoadIfEmptyAsync(demo, cancellationToken) : null;

        // Report aggregates asked for by a migration onto an existing ledger or by the demo load: built before the hub serves.
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        await services.GetRequiredService<ReportAggregates>().RebuildMarkedAsync(db, cancellationToken);
        // The demo months' compliance evaluations, so that their first compliance report is as fast as the next.
        if (loaded is not null)
        {
            var snapshots = scope.ServiceProvider.GetRequiredService<ComplianceSnapshots>();
            var periods = await db.ReportMerchantMonths.Where(m => m.RegencyCode == DemoDataGenerator.RegencyCode)
                .Select(m => m.PeriodKey).Distinct().ToListAsync(cancellationToken);
            foreach (var period in periods)
            {
                if (await scope.ServiceProvider.GetRequiredService<QuotaPolicies>().InForceAsync(DemoDataGenerator.RegencyCode, Period.FromKey(period), cancellationToken) is null) continue;
                await snapshots.RefreshAsync(DemoDataGenerator.RegencyCode, Period.FromKey(period), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Creates and migrates the database (unless <c>Database:MigrateAtStart</c> is false and <paramref name="forceMigrate"/>
    /// is not set: then the <c>migrate</c> command does it), seeds reference data and loads the regency directory. On PostgreSQL replicas starting together take
    /// turns (a session advisory lock): one migrates and seeds, the others find it done.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken, bool forceMigrate = false)
    {
        var where = options.Value.Provider == DatabaseProvider.Postgres ? "PostgreSQL" : Path.GetFullPath(options.Value.Path);
        if (options.Value.Provider == DatabaseProvider.Sqlite)
            Directory.CreateDirectory(Path.GetDirectoryName(where)!);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            await using var turn = await StoreDialect.Of(db).TakeTurnAsync("startup", cancellationToken);
            if (forceMigrate || configuration.GetValue("Database:MigrateAtStart", true))
                await HubMigrations.MigrateAsync(db, cancellationToken);
            var served = configuration.GetSection(ServedRegency.Section).Get<List<ServedRegency>>() ?? [];
            await ReferenceData.SeedAsync(db, served, cancellationToken);
            await BojonegoroQuotaPolicy.SeedAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), cancellationToken);
            await directory.LoadAsync(db, cancellationToken);
        }
        logger.LogInformation("Database ready at {Path}", where);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
