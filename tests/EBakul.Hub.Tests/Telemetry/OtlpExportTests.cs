using System.Collections.Concurrent;
using System.Text;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Regions.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// The real hub process configured the standard way, with <c>OTEL_*</c> environment variables only, sends traces,
/// metrics and logs over OTLP (HTTP/protobuf) to a collector: here a small HTTP server that keeps what it receives.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<byte[]>> _received = new();
    private WebApplication? _collector;
    private string _collectorAddress = "";
    private string _contentRoot = "";

    public async Task InitializeAsync()
    {
        // An empty content root: the hub's appsettings.json (with its Kestrel endpoints) in the test folder is not read.
        _contentRoot = Directory.CreateTempSubdirectory("otlp-collector-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _collector = builder.Build();
        _collector.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _received.GetOrAdd(signal, _ => []).Add(body.ToArray());
            return Results.Ok();
        });
        await _collector.StartAsync();
        _collectorAddress = _collector.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_collector is not null) await _collector.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }

    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_collector_named_by_OTEL_EXPORTER_OTLP_ENDPOINT()
    {
        await using var hub = new RestartableHubProcess(Path.Combine(TestRunFolder.Path, $"otlp-{Guid.NewGuid():N}.db"), new Dictionary<string, string?>());
        hub.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collectorAddress;
        hub.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        hub.Environment["OTEL_SERVICE_NAME"] = "ebakul-hub-under-test";
        hub.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        hub.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        hub.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
        await hub.StartAsync();

        using var channel = GrpcChannel.ForAddress(hub.Address);
        var regions = new RegionService.RegionServiceClient(channel);
        // Without a credential: refused UNAUTHENTICATED, a call with a trace all the same.
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await regions.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.22" }));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(Has("traces", "ListKecamatan") && Has("metrics", "ebakul.writer.queue.depth") && Has("logs", "Database ready at")))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60),
                $"received within a minute: {string.Join(", ", _received.Select(r => $"{r.Key} ({r.Value.Count})"))}\n{hub.Output}");
            await Task.Delay(200);
        }
        // The server span follows the RPC conventions, and every signal names the service as OTEL_SERVICE_NAME says.
        Assert.True(Has("traces", "rpc.grpc.status_code") && Has("traces", "ebakul.regions.v1.RegionService"));
        foreach (var signal in new[] { "traces", "metrics", "logs" }) Assert.True(Has(signal, "ebakul-hub-under-test"), signal);
        // The development credentials the hub printed on its console (for the person starting it) are in no export. Tokens
        // are base64url: their ids and secrets may hold "-" and "_".
        var tokens = System.Text.RegularExpressions.Regex.Matches(hub.Output, @"ebk\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+").Select(m => m.Value).ToList();
        Assert.NotEmpty(tokens);
        foreach (var token in tokens) Assert.False(_received.Keys.Any(signal => Has(signal, token)), "a development token was exported");
    }

    /// <summary>Whether a request of <paramref name="signal"/> holds <paramref name="text"/> (protobuf keeps strings as UTF-8).</summary>
    private bool Has(string signal, string text) =>
        _received.TryGetValue(signal, out var bodies) && bodies.Any(b => Encoding.UTF8.GetString(b).Contains(text, StringComparison.Ordinal));
}
