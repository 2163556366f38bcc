using EBakul.Hub.Access;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain.Integrity;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;
using EBakul.Hub.EtppPush;
using EBakul.Hub.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Hosting;

/// <summary>Everything <c>Program.cs</c> wires: services, gRPC, health, reflection and the database.</summary>
public static class HubHostingExtensions
{
    /// <summary>Registers the hub's services.</summary>
    public static WebApplicationBuilder AddEBakulHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingletonTimeProvider();
        services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        services.Configure<PayrollOptions>(builder.Configuration.GetSection(PayrollOptions.Section));
        services.Configure<DemoDataOptions>(builder.Configuration.GetSection(DemoDataOptions.Section));
        services.Configure<ReportOptions>(builder.Configuration.GetSection(ReportOptions.Section));
        services.Configure<IntegrityOptions>(builder.Configuration.GetSection(IntegrityOptions.Section));

        services.PostConfigure<DatabaseOptions>(o =>
        {
            if (string.IsNullOrEmpty(o.PostgresConnectionString))
                o.PostgresConnectionString = builder.Configuration.GetConnectionString("Postgres") ?? "";
        });
        // The store is chosen once, at start (Database:Provider); on PostgreSQL the context is PostgresHubDbContext,
        // whose migrations are PostgreSQL's.
        var onPostgres = builder.Configuration.GetValue(DatabaseOptions.Section + ":" + nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite)
            == DatabaseProvider.Postgres;
        if (onPostgres)
            services.AddDbContextPool<HubDbContext, Data.Postgres.PostgresHubDbContext>((sp, options) => options
                .UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.PostgresConnectionString));
        else
            services.AddDbContextPool<HubDbContext>((sp, options) => options
                .UseSqlite(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
                .AddInterceptors(new SqlitePragmas.Interceptor()));
        services.AddSingleton<DatabaseWriter>();
        services.AddSingleton<IdempotentWrites>();
        services.AddSingleton<RegencyDirectory>();
        services.AddSingleton<DemoDataLoader>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseInitializer>());
        if (onPostgres) services.AddHostedService<Data.Postgres.PostgresAppendRelay>();
        // After the initializer (hosted services start in order): the database is migrated when its first round runs.
        services.AddHostedService<ComplianceSnapshotKeeper>();

        // The token issuers' settings are checked at start, so that a wrong one stops the hub rather than its first call.
        services.AddOptions<AccessOptions>().Bind(builder.Configuration.GetSection(AccessOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>>(new ValidateAccessOptions());
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<DeniedClients>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<CallerAuthentication>();
        services.AddHttpClient(AccessTokenValidator.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<EtppClientCertificates>();
        services.AddSingleton<DevelopmentCredentials>();
        services.AddSingleton<AuditTrail>();

        AddDomain(services);
        AddEtppPush(services, builder.Configuration);

        services.AddGrpc(options =>
        {
            options.Interceptors.Add<HubErrorInterceptor>();
            options.Interceptors.Add<AccessInterceptor>();
            options.MaxReceiveMessageSize = builder.Configuration.GetValue("Grpc:MaxReceiveMessageSize", 16 * 1024 * 1024);
            options.MaxSendMessageSize = builder.Configuration.GetValue("Grpc:MaxSendMessageSize", 16 * 1024 * 1024);
            options.EnableDetailedErrors = builder.Environment.IsDevelopment();
        });
        // A merchant import chunk of 5000 rows at their longest is about 6 MB.
        services.AddGrpc().AddServiceOptions<MerchantGrpcService>(options => options.MaxReceiveMessageSize = 16 * 1024 * 1024);
        services.AddGrpcReflection();
        services.AddHubHttpJson();
        builder.AddBrowserAccess();
        builder.LimitRequestHeaders();
        builder.AddHubTls();
        services.AddSingleton<DatabaseHealthCheck>(); // one instance: it keeps its latest schema reading
        services.AddGrpcHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database");
        builder.AddHubTelemetry();
        // Last: every AddGrpc() above (JSON transcoding, gRPC-Web, health) adds grpc-dotnet's binder again if it is missing.
        UseParsedRequestMethodProvider(services);
        return builder;
    }

    /// <summary>
    /// Binds the hub's gRPC services with <see cref="ParsedRequestMethodProvider{TService}"/> in place of grpc-dotnet's
    /// own binder, so that a request body that does not parse is INVALID_ARGUMENT rather than UNKNOWN.
    /// </summary>
    private static void UseParsedRequestMethodProvider(IServiceCollection services)
    {
        var frameworkBinders = services.Where(d => d.ServiceType == typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>)
            && d.ImplementationType is { Name: "BinderServiceMethodProvider`1" }).ToList();
        if (frameworkBinders.Count == 0)
            throw new InvalidOperationException("grpc-dotnet's BinderServiceMethodProvider was not found to replace");
        foreach (var binder in frameworkBinders) services.Remove(binder);
        services.AddSingleton(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(ParsedRequestMethodProvider<>));
    }

    /// <summary>The domain services, one per area.</summary>
    private static void AddDomain(IServiceCollection services)
    {
        services.AddSingleton<LedgerAppendSignal>();
        services.AddSingleton<PolicyOfMonth>();
        services.AddSingleton<PurchaseLedger>();
        services.AddSingleton<EmployeeSync>();
        services.AddScoped<EmployeeRoster>();
        services.AddSingleton<MerchantIds>();
        services.AddScoped<MerchantRegistry>();
        services.AddScoped<MerchantImport>();
        services.AddScoped<NearbySearch>();
        services.AddScoped<QuotaPolicies>();
        services.AddScoped<QuotaExemptions>();
        services.AddScoped<QuotaEvaluator>();
        services.AddSingleton<AdjustmentAppendSignal>();
        services.AddScoped<PeriodClosing>();
        services.AddScoped<EmployeeStatements>();
        services.AddSingleton<DisputeRules>();
        services.AddScoped<AdjustmentDisputes>();
        services.AddScoped<EvidenceExport>();
        services.AddSingleton<Acknowledgements>();
        services.AddSingleton<ReportAggregates>();
        services.AddSingleton<ClosedMonthReports>();
        services.AddScoped<SpendingReports>();
        services.AddScoped<ComplianceSnapshots>();
        services.AddScoped<ComplianceReports>();
        services.AddScoped<ReportExport>();
        services.AddScoped<IntegritySignals>();
        services.AddScoped<IntegrityReviews>();
    }

    /// <summary>
    /// The push adapter, when some regency's adjustments are pushed (<c>EtppPush:Regencies</c> and
    /// <c>EtppPush:BaseAddress</c>); without it e-TPP pulls.
    /// </summary>
    private static void AddEtppPush(IServiceCollection services, IConfiguration configuration)
    {
        var push = configuration.GetSection(EtppPushOptions.Section).Get<EtppPushOptions>() ?? new EtppPushOptions();
        if (push.Regencies.Count == 0) return;
        services.AddEtppClient(configuration);
        // The dispatcher renews its leases every quarter lease and gives up its pushes after half a lease without renewal.
        services.AddOptions<EtppPushOptions>()
            .Validate(o => o.Dispatcher.Lease >= TimeSpan.FromSeconds(4),
                $"{EtppPushOptions.Section}:Dispatcher:Lease must be at least 4 seconds")
            .ValidateOnStart();
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton(sp => new PushPipeline(push.Pipeline, push.Timeout,
            sp.GetRequiredService<ILogger<PushPipeline>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<AdjustmentDispatcher>();
    }

    /// <summary>Maps the gRPC services, health and reflection.</summary>
    public static WebApplication MapEBakulHub(this WebApplication app)
    {
        // Created now so that an unusable client certificate binding or authorities file stops the start, not the first call.
        app.Services.GetRequiredService<EtppClientCertificates>();
        app.UseEndpointRouteSeparation();
        app.UseBrowserAccess();
        app.MapGrpcService<RegionGrpcService>();
        app.MapGrpcService<LedgerGrpcService>();
        app.MapGrpcService<RosterGrpcService>();
        app.MapGrpcService<QuotaGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcService<MerchantGrpcService>();
        app.MapGrpcService<PayrollGrpcService>();
        app.MapGrpcService<ReportGrpcService>();
        app.MapGrpcService<IntegrityGrpcService>();
        app.MapReportDownloads();
        app.MapIntegrityDownloads();
        app.MapDashboard();
        app.MapGrpcHealthChecksService();
        app.MapHubHttpJson();
        app.MapGrpcReflectionService();
        app.MapHubTelemetry();
        return app;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }

    /// <summary>
    /// Healthy while the single writer can write (its thread runs and its latest commit succeeded) and the database holds
    /// every migration of this build. The writer's state is read on every probe (load balancers may ask many times a
    /// second); the migrations are read from the database at most every ten seconds while they were found in place, so
    /// a database replaced by an older copy shows within that time, and on every probe while they were not (or could not
    /// be read), so that a database readable again counts at the next probe.
    /// </summary>
    private sealed class DatabaseHealthCheck(DatabaseWriter writer, IServiceScopeFactory scopes) : IHealthCheck
    {
        private static readonly TimeSpan SchemaReadInterval = TimeSpan.FromSeconds(10);
        private readonly SemaphoreSlim _schemaRead = new(1, 1);
        private (long At, string? Problem)? _schema;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (writer.Fault is { } fault) return HealthCheckResult.Unhealthy(fault);
            return await SchemaProblemAsync(cancellationToken) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
        }

        private async Task<string?> SchemaProblemAsync(CancellationToken cancellationToken)
        {
            if (_schema is { Problem: null } last && System.Diagnostics.Stopwatch.GetElapsedTime(last.At) < SchemaReadInterval) return null;
            await _schemaRead.WaitAsync(cancellationToken);
            try
            {
                if (_schema is { Problem: null } again && System.Diagnostics.Stopwatch.GetElapsedTime(again.At) < SchemaReadInterval) return null;
                string? problem;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                    var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
                    var missing = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList();
                    problem = missing.Count == 0 ? null : $"the database lacks {missing.Count} migrations of this build (first: {missing[0]})";
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    problem = $"the database cannot be read: {ex.Message}";
                }
                _schema = (System.Diagnostics.Stopwatch.GetTimestamp(), problem);
                return problem;
            }
            finally
            {
                _schemaRead.Release();
            }
        }
    }
}
