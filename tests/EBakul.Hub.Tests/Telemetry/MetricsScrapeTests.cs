using System.Diagnostics.Metrics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using EBakul.Hub.EtppPush;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.EndToEnd;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// The real hub process's <c>/metrics</c> and <c>/health/*</c> on its management endpoint, scraped after some traffic, and the
/// operations kit under <c>deploy/</c> checked against what it exports.
/// </summary>
public sealed partial class MetricsScrapeTests(HubProcess hub) : IClassFixture<HubProcess>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task Metrics_after_traffic_hold_the_domain_and_semantic_convention_metrics()
    {
        var names = await ScrapeAfterTrafficAsync();
        foreach (var expected in new[]
        {
            "ebakul_requests_refused_total", "ebakul_purchases_refused_total", "ebakul_writer_queue_depth",
            "ebakul_writer_batch_size_bucket", "ebakul_writer_commit_duration_seconds_bucket", "ebakul_outbox_backlog",
            "ebakul_outbox_oldest_age_seconds", "ebakul_etpp_breaker_state", "http_server_request_duration_seconds_bucket",
            "dotnet_gc_collections_total",
        })
            Assert.Contains(expected, names);
    }

    [Fact]
    public async Task Every_metric_the_alert_rules_and_the_dashboard_name_is_one_the_hub_exports()
    {
        var scraped = await ScrapeAfterTrafficAsync();
        // Counters and histograms appear on their first event; the ones this traffic does not cause (pushes, closes)
        // must at least be instruments the hub publishes, under their Prometheus names.
        var published = PublishedPrometheusNames();
        var deploy = Path.Combine(hub.RepositoryRoot, "deploy");
        var rules = File.ReadAllText(Path.Combine(deploy, "prometheus", "ebakul-alerts.yml"));
        var rulesExpressions = ExprLine().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(rulesExpressions);
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(deploy, "grafana", "ebakul-hub.json")));
        var dashboardExpressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.NotEmpty(dashboardExpressions);

        var named = rulesExpressions.Concat(dashboardExpressions).SelectMany(MetricNames).ToHashSet();
        var unknown = named.Where(n => !scraped.Contains(n) && !published.Contains(n)).Order().ToList();
        Assert.True(unknown.Count == 0, "not exported by the hub: " + string.Join(", ", unknown));
    }

    [Fact]
    public async Task Promtool_accepts_the_prometheus_config_and_alert_rules_passes_their_unit_tests_and_lints_the_hubs_metrics()
    {
        var deploy = Path.Combine(hub.RepositoryRoot, "deploy", "prometheus");
        if (Promtool(hub.RepositoryRoot) is not { } promtool)
        {
            // No promtool (scripts/install-tools.sh unpacks it where apt-get can fetch Debian's prometheus package): the
            // rules are at least alerts with an expression, a severity and a summary each.
            var rules = File.ReadAllText(Path.Combine(deploy, "ebakul-alerts.yml"));
            var alerts = Regex.Matches(rules, @"- alert: (\w+)\n(?:(?!- alert:)[\s\S])*").Select(m => m.Value).ToList();
            Assert.NotEmpty(alerts);
            Assert.All(alerts, a => Assert.Matches(@"expr: \S[\s\S]*severity: (critical|warning)[\s\S]*summary: ", a));
            return;
        }
        Assert.Equal((0, ""), await RunAsync(promtool, deploy, null, "check", "config", "prometheus.yml"));
        Assert.Equal((0, ""), await RunAsync(promtool, deploy, null, "test", "rules", "ebakul-alerts.test.yml"));
        // The lint of the scrape: nothing of the hub's own metrics (the runtime's *_count gauges are .NET's names).
        await ScrapeAfterTrafficAsync();
        var scrape = await Http.GetStringAsync(hub.ManagementAddress + "/metrics");
        var (_, lint) = await RunAsync(promtool, deploy, scrape, "check", "metrics");
        Assert.DoesNotContain("ebakul_", lint);
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_on_the_management_endpoint_and_over_grpc_health()
    {
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await Http.GetAsync(hub.ManagementAddress + path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        }
        using (var ready = JsonDocument.Parse(await Http.GetStringAsync(hub.ManagementAddress + "/health/ready")))
        {
            var checks = ready.RootElement.GetProperty("checks");
            Assert.True(checks.TryGetProperty("database", out _));
            Assert.True(checks.TryGetProperty("outbox", out _));
        }
        foreach (var service in new[] { HubTelemetryExtensions.LivenessService, HubTelemetryExtensions.ReadinessService })
        {
            var result = await hub.CurlAsync("grpc.health.v1.Health/Check", $$"""{"service": "{{service}}"}""");
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal("SERVING", json.RootElement.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Metrics_and_health_pages_are_404_on_the_callers_ports_and_the_management_port_serves_nothing_else()
    {
        using var grpcPort = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var path in new[] { "/metrics", "/health/live", "/health/ready" })
        {
            using var onGrpc = await grpcPort.GetAsync(hub.Address + path);
            Assert.Equal(HttpStatusCode.NotFound, onGrpc.StatusCode);
            using var onHttp = await Http.GetAsync(hub.HttpAddress + path);
            Assert.Equal(HttpStatusCode.NotFound, onHttp.StatusCode);
            using var onManagement = await Http.GetAsync(hub.ManagementAddress + path);
            Assert.Equal(HttpStatusCode.OK, onManagement.StatusCode);
        }
        // The callers' surface is not on the management port: JSON, pages, gRPC-Web.
        foreach (var path in new[] { "/v1/regencies", "/dashboard", "/openapi/v1.json" })
        {
            using var response = await Http.GetAsync(hub.ManagementAddress + path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            using var served = await Http.GetAsync(hub.HttpAddress + path);
            Assert.NotEqual(HttpStatusCode.NotFound, served.StatusCode);
        }
        using var grpcWeb = new HttpRequestMessage(HttpMethod.Post, hub.ManagementAddress + "/grpc.health.v1.Health/Check")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { { "Content-Type", "application/grpc-web" } } },
        };
        using var refused = await Http.SendAsync(grpcWeb);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    /// <summary>A served call and two refused ones (no credential, one of them a purchase), then the scrape's metric names.</summary>
    private async Task<HashSet<string>> ScrapeAfterTrafficAsync()
    {
        Assert.Equal(0, (await hub.CurlAsync("ebakul.regions.v1.RegionService/ListKecamatan", """{"regency_code": "35.22"}""")).ExitCode);
        Assert.NotEqual(0, (await hub.CurlAsync("ebakul.ledger.v1.LedgerService/RecordPurchase", """{"request_id": "r-1", "regency_code": "35.22"}""")).ExitCode);
        var text = await Http.GetStringAsync(hub.ManagementAddress + "/metrics");
        return text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.IndexOfAny(['{', ' '])]).ToHashSet();
    }

    /// <summary>The Prometheus names of every instrument of the hub's meters (counters end in <c>_total</c>, seconds in <c>_seconds</c>).</summary>
    private static HashSet<string> PublishedPrometheusNames()
    {
        RuntimeHelpers.RunClassConstructor(typeof(HubTelemetry).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(PushPipeline).TypeHandle);
        var names = new HashSet<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name is not (HubTelemetry.Name or PushPipeline.MeterName)) return;
                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                var type = instrument.GetType().GetGenericTypeDefinition();
                if (type == typeof(Counter<>)) names.Add(name + "_total");
                else if (type == typeof(Histogram<>)) names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
                else names.Add(name);
            },
        };
        listener.Start();
        return names;
    }

    /// <summary>The metric names of a PromQL expression: identifiers of the hub's prefixes that are not labels.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var withoutLabels = LabelClause().Replace(Matchers().Replace(expression, ""), "");
        return MetricName().Matches(withoutLabels).Select(m => m.Value);
    }

    /// <summary>promtool on the PATH, or where scripts/install-tools.sh unpacks it; null when neither.</summary>
    private static string? Promtool(string repositoryRoot)
    {
        var local = Path.Combine(repositoryRoot, ".tools", "promtool");
        if (File.Exists(local)) return local;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string directory, string? input, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program)
        {
            WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var output = (await stdout) + (await stderr);
        // Success prints what it checked; a failure is the whole output.
        return (process.ExitCode, process.ExitCode == 0 && arguments[1] != "metrics" ? "" : output);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelClause();

    [GeneratedRegex(@"^\s*expr:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex ExprLine();

    [GeneratedRegex(@"\b(ebakul|http|dotnet|kestrel|aspnetcore)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
