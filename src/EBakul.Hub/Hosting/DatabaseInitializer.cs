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
            var periods = await db.ReportMerchantMonths.Where(m => m.RegencyCode == DemoDataGenerator.RegencyCode)
                .Select(m => m.PeriodKey).Distinct().ToListAsync(cancellationToken);
            await BuildComplianceAsync(periods.Select(p => (DemoDataGenerator.RegencyCode, p)), cancellationToken);
        }
        // The months of a ledger that was there before the compliance evaluations were kept (listed by their migration,
        // never built yet): built in the background, so that the hub serves at once.
        var unbuilt = await db.ComplianceMonths.Where(m => m.PolicyVersion == 0).Select(m => new { m.RegencyCode, m.PeriodKey }).ToListAsync(cancellationToken);
        if (unbuilt.Count > 0)
        {
            var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => BuildComplianceAsync(unbuilt.Select(m => (m.RegencyCode, m.PeriodKey)), stopping), stopping);
        }
    }

    /// <summary>Builds the kept compliance evaluations of the months given (those with a quota policy in force).</summary>
    private async Task BuildComplianceAsync(IEnumerable<(string RegencyCode, int PeriodKey)> months, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var (regency, key) in months)
            {
                await using var scope = services.CreateAsyncScope();
                var period = Period.FromKey(key);
                if (await scope.ServiceProvider.GetRequiredService<QuotaPolicies>().InForceAsync(regency, period, cancellationToken) is null) continue;
                await scope.ServiceProvider.GetRequiredService<ComplianceSnapshots>().RefreshAsync(regency, period, cancellationToken);
                logger.LogInformation("Compliance evaluations of {Regency} {Period} built", regency, period);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A report builds what is missing itself; this only saves the first report the wait.
            logger.LogWarning(ex, "Building the compliance evaluations failed; the next compliance report builds them");
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
