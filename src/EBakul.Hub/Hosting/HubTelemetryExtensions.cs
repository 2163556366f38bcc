using System.Diagnostics;
using System.Text.Json;
using EBakul.Hub.Data;
using EBakul.Hub.EtppPush;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EBakul.Hub.Hosting;

/// <summary>
/// Telemetry and health in one place: OpenTelemetry traces, metrics and logs (OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Prometheus at <c>/metrics</c> on the management endpoint), and liveness and
/// readiness over gRPC health (on the gRPC endpoint) and HTTP (<c>/health/live</c>, <c>/health/ready</c> on the management
/// endpoint).
/// </summary>
public static class HubTelemetryExtensions
{
    /// <summary>The settings section.</summary>
    public const string Section = "Telemetry";

    /// <summary>Tag of the checks that say the process is alive; every other check says whether it is ready.</summary>
    public const string LiveTag = "live";

    /// <summary>The gRPC health service names of liveness and readiness (the empty name is readiness too).</summary>
    public const string LivenessService = "liveness", ReadinessService = "readiness";

    /// <summary>Registers OpenTelemetry and the health checks.</summary>
    public static WebApplicationBuilder AddHubTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var section = configuration.GetSection(Section);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        builder.Services.AddSingleton<OutboxBacklog>();
        builder.Services.AddSingleton<CloseTraces>();
        builder.Services.Configure<OutboxHealthOptions>(section.GetSection("Outbox"));
        // Readiness is every check without the live tag: the database (HubHostingExtensions) and the outbox.
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the process answers"), tags: [LiveTag])
            .AddCheck<OutboxAgeCheck>("outbox");
        builder.Services.Configure<GrpcHealthChecksOptions>(options =>
        {
            options.Services.Clear();
            options.Services.Map("", r => !r.Tags.Contains(LiveTag));
            options.Services.Map(ReadinessService, r => !r.Tags.Contains(LiveTag));
            options.Services.Map(LivenessService, r => r.Tags.Contains(LiveTag));
        });

        if (!section.GetValue("Enabled", true)) return builder;
        // Spans cost a little on every call: recorded when they go somewhere (OTLP), or when Telemetry:Tracing asks.
        var tracing = section.GetValue("Tracing", otlp);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read by the SDK and win over this default.
                if (string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
                    resource.AddService("ebakul-hub", serviceVersion: typeof(HubTelemetry).Assembly.GetName().Version?.ToString());
            })
            .WithMetrics(metrics => metrics
                .AddMeter(HubTelemetry.Name, PushPipeline.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .AddSource(HubTelemetry.Name)
                .AddAspNetCoreInstrumentation(options =>
                {
                    // Probes and scrapes are not calls worth a trace.
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics");
                    options.EnrichWithHttpResponse = EnrichGrpc;
                })
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation());
        }
        // The development credentials are printed once on the console for the person starting the hub; they are secrets
        // and go to no log exporter.
        builder.Logging.AddFilter<OpenTelemetryLoggerProvider>(typeof(Access.DevelopmentCredentials).FullName, LogLevel.None);
        // Traces, metrics and logs (with their trace and span ids) to the collector the OTEL_EXPORTER_OTLP_* variables name.
        if (otlp) telemetry.UseOtlpExporter();
        return builder;
    }

    /// <summary>Maps <c>/metrics</c> and <c>/health/live</c>, <c>/health/ready</c> on the management endpoint.</summary>
    public static WebApplication MapHubTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetSection(Section).GetValue("Enabled", true))
        {
            // Once the database is migrated (the hosted services have started): the gauges read the outbox table.
            var backlog = app.Services.GetRequiredService<OutboxBacklog>();
            app.Lifetime.ApplicationStarted.Register(() => HubTelemetry.ObserveOutbox(backlog.Read));
            app.MapPrometheusScrapingEndpoint("/metrics").OnManagementEndpoint();
        }
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = WriteHealth })
            .OnManagementEndpoint();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => !r.Tags.Contains(LiveTag), ResponseWriter = WriteHealth })
            .OnManagementEndpoint();
        return app;
    }

    /// <summary>
    /// The RPC semantic conventions on the server span of a gRPC call (and of a JSON call transcoded to one):
    /// <c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>, and <c>rpc.grpc.status_code</c> from the trailers. As the
    /// conventions say for a server, only the codes that are the server's fault (UNKNOWN, DEADLINE_EXCEEDED,
    /// UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS) make the span an error; a refused caller's mistake does not.
    /// </summary>
    private static void EnrichGrpc(Activity activity, HttpResponse response)
    {
        var http = response.HttpContext;
        if (http.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not { } grpc) return;
        activity.SetTag("rpc.system", "grpc");
        activity.SetTag("rpc.service", grpc.Method.ServiceName);
        activity.SetTag("rpc.method", grpc.Method.Name);
        var trailers = http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers?["grpc-status"].ToString();
        if (string.IsNullOrEmpty(status)) status = response.Headers["grpc-status"].ToString();
        if (int.TryParse(status, out var code))
        {
            activity.SetTag("rpc.grpc.status_code", code);
            if (code is 2 or 4 or 12 or 13 or 14 or 15) activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), reason = e.Value.Description }),
        }));
    }

    /// <summary>Degraded while the oldest adjustment not yet delivered to e-TPP is older than <c>Telemetry:Outbox:MaxAge</c>.</summary>
    private sealed class OutboxAgeCheck(OutboxBacklog backlog, Microsoft.Extensions.Options.IOptions<OutboxHealthOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            OutboxBacklog.Reading reading;
            try { reading = backlog.Read(); }
            catch (Exception ex)
            {
                return Task.FromResult(HealthCheckResult.Degraded($"the outbox cannot be read: {ex.Message}"));
            }
            var maxAge = options.Value.MaxAge;
            return Task.FromResult(reading.OldestAge > maxAge
                ? HealthCheckResult.Degraded(
                    $"OUTBOX_STALE: the oldest of {reading.Undelivered} undelivered adjustments is {Describe(reading.OldestAge)} old (limit {Describe(maxAge)}); " +
                    "e-TPP has not taken it (push: see the breaker and the push errors; pull: e-TPP has not acknowledged it)")
                : HealthCheckResult.Healthy($"{reading.Undelivered} adjustments waiting, the oldest {Describe(reading.OldestAge)} old"));
        }

        private static string Describe(TimeSpan age) =>
            age >= TimeSpan.FromHours(1) ? $"{age.TotalHours:0.#} h" : age >= TimeSpan.FromMinutes(1) ? $"{age.TotalMinutes:0.#} min" : $"{age.TotalSeconds:0} s";
    }
}

/// <summary>The outbox's health setting (<c>Telemetry:Outbox</c>).</summary>
public sealed class OutboxHealthOptions
{
    /// <summary>Age of the oldest undelivered adjustment past which readiness reports degraded (default one day).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);
}
