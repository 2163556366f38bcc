using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
            // A demo of several regencies serves them all, each with Bojonegoro's default quota policy.
            var demo = services.GetRequiredService<IOptions<DemoDataOptions>>().Value;
            if (demo.Enabled) served.AddRange([.. DemoRegencies.Served(demo).Where(d => served.All(s => s.Code != d.Code))]);
            await ReferenceData.SeedAsync(db, served, cancellationToken);
            await BojonegoroQuotaPolicy.SeedAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), cancellationToken);
            if (demo.Enabled) await DemoRegencies.SeedQuotaPoliciesAsync(db, demo, scope.ServiceProvider.GetRequiredService<TimeProvider>(), cancellationToken);
            await directory.LoadAsync(db, cancellationToken);
        }
        logger.LogInformation("Database ready at {Path}", where);
    }

    /// <summary>
    /// Opens the configured database for an admin command, creating and migrating nothing: the database must exist and
    /// hold every migration of this build (the hub's start or the <c>migrate</c> command makes it so). Loads the regency
    /// directory. Throws <see cref="DatabaseNotReadyException"/>, whose message is one line, when it cannot.
    /// </summary>
    public async Task OpenExistingAsync(CancellationToken cancellationToken)
    {
        var postgres = options.Value.Provider == DatabaseProvider.Postgres;
        var where = postgres ? "the PostgreSQL database of ConnectionStrings:Postgres" : $"the SQLite file {Path.GetFullPath(options.Value.Path)}";
        // SQLite creates a missing file when a connection opens it: the command stops before.
        if (!postgres && !File.Exists(options.Value.Path))
            throw new DatabaseNotReadyException($"there is no database at {Path.GetFullPath(options.Value.Path)}: give the hub's database " +
                "(--Database:Path=FILE, or --Database:Provider=Postgres --ConnectionStrings:Postgres=...); only the hub's start or 'migrate' creates one");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var migrations = db.Database.GetMigrations().Count();
        string Lacks(int count) => $"{where} lacks {count} of the {migrations} migrations of this build (it is not the hub's database, or an older one): run 'migrate' on it first";
        // An empty file is a database without tables to SQLite, but opening it would set its page size and journal mode.
        if (!postgres && new FileInfo(options.Value.Path).Length == 0) throw new DatabaseNotReadyException(Lacks(migrations));
        List<string> missing;
        try
        {
            // PostgreSQL: a database that does not exist reads as one without migrations; say which it is.
            if (postgres && !await db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
                throw new DatabaseNotReadyException($"{where} does not exist: create it (empty, owned by the hub's role) and run 'migrate' on it");
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            missing = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DatabaseNotReadyException)
        {
            throw new DatabaseNotReadyException($"{where} cannot be opened: {ex.Message.ReplaceLineEndings(" ")}");
        }
        if (missing.Count > 0)
            throw new DatabaseNotReadyException(Lacks(missing.Count));
        await directory.LoadAsync(db, cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An admin command found no usable database (missing, not migrated, unreachable); the message is one line.</summary>
public sealed class DatabaseNotReadyException(string message) : Exception(message);
