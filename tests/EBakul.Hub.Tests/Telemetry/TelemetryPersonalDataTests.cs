using System.Diagnostics;
using System.Text;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Ledger.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// Everything the hub's telemetry emits while a purchase is recorded and a month closed, captured in memory: the spans it
/// should have, and no NIK, name or token anywhere in spans, metrics or logs.
/// </summary>
public sealed class TelemetryPersonalDataTests : IDisposable
{
    private readonly Captured<Activity> _captureSpans = new();
    private readonly Captured<Metric> _captureMetrics = new();
    private readonly Captured<LogRecord> _captureLogs = new();
    private List<Activity> _spans = [];
    private List<Metric> _metrics = [];
    private List<LogRecord> _logs = [];
    private readonly HubFactory _hub;

    public TelemetryPersonalDataTests()
    {
        _hub = new HubFactory
        {
            ConfigureServices = services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_captureSpans));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(_captureMetrics));
                services.AddLogging(l => l.AddOpenTelemetry(o => o.AddInMemoryExporter(_captureLogs)));
            },
        };
        _hub.Settings["Telemetry:Tracing"] = "true";
    }

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_purchase_and_a_month_close_leave_no_nik_name_or_token_in_spans_metrics_or_logs()
    {
        var arrange = new PayrollArrange(_hub);
        const string employeeName = "Kusumawardhani Prasetyaningrum";
        const string ownerName = "Wahyuningsih Sulistyowati";
        var ownerNik = TestData.Nik(woman: true, serial: 4321);
        var employee = RosterTestData.Employee(change: e =>
        {
            e.Name = employeeName;
            e.TppCeilingRupiah = 3_000_000;
            e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2020, 1, 1));
        });
        await RosterTestData.SyncAsync(_hub.Channel, [employee]);
        var draft = TestData.ValidMerchantDraft();
        draft.OwnerName = ownerName;
        draft.OwnerNik = ownerNik;
        // Registered and verified in January, so that a September purchase there counts.
        var now = _hub.Clock.GetUtcNow();
        _hub.Clock.Set(Wib(2025, 1, 2));
        var merchant = await TestData.RegisterActiveMerchantAsync(_hub.Channel, draft);
        _hub.Clock.Set(now);
        await arrange.Quota.PurchaseAsync(employee.Nip, merchant.MerchantId, 100_000, Wib(2025, 9, 10));
        // A refused call with a caller's own token: the refusal's reason is counted, the token is seen nowhere.
        var token = _hub.IssueToken(new EBakul.Hub.Access.Caller
        {
            Id = "office-probe", DisplayName = "office probe", Kind = EBakul.Hub.Access.CallerKind.OfficeSystem,
            Scopes = "purchases.read", Regencies = Regency, OfficeCode = "1.02.01", RateLimitPerSecond = 100,
        });
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await new LedgerService.LedgerServiceClient(_hub.ChannelFor(token)).RecordPurchaseAsync(new RecordPurchaseRequest
            {
                RequestId = TestData.RequestId(), RegencyCode = Regency,
            }));
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, refused.StatusCode);
        var closed = await arrange.CloseAsync(PayrollArrange.September);
        Assert.Equal(1, closed.AdjustmentsCreated);

        _hub.Services.GetRequiredService<MeterProvider>().ForceFlush();
        _hub.Services.GetRequiredService<TracerProvider>().ForceFlush();
        (_spans, _metrics, _logs) = (_captureSpans.Snapshot(), _captureMetrics.Snapshot(), _captureLogs.Snapshot());

        var spanNames = _spans.Select(s => s.DisplayName).ToHashSet();
        Assert.Contains("ebakul.writer.commit", spanNames);
        Assert.Contains("ebakul.close.evaluate", spanNames);
        Assert.Contains("ebakul.close.complete", spanNames);
        var record = _spans.First(s => (string?)s.GetTagItem("rpc.method") == "RecordPurchase" && (int?)s.GetTagItem("rpc.grpc.status_code") == 0);
        Assert.Equal((ActivityKind.Server, "grpc", "ebakul.ledger.v1.LedgerService", 0),
            (record.Kind, (string?)record.GetTagItem("rpc.system"), (string?)record.GetTagItem("rpc.service"), (int?)record.GetTagItem("rpc.grpc.status_code")));
        // The writer's batch that committed the purchase is in the call's trace (its child, or linked when it served others first).
        Assert.Contains(_spans, s => s.DisplayName == "ebakul.writer.commit"
            && (s.ParentSpanId == record.SpanId || s.Links.Any(l => l.Context.SpanId == record.SpanId)));
        // Refused for the caller's own mistake: PERMISSION_DENIED with its reason, not a server error.
        Assert.Contains(_spans, s => (string?)s.GetTagItem("rpc.method") == "RecordPurchase" && (int?)s.GetTagItem("rpc.grpc.status_code") == 7
            && (string?)s.GetTagItem("ebakul.error.reason") == "SCOPE_MISSING" && s.Status == ActivityStatusCode.Unset);
        var refusals = _metrics.Where(m => m.Name == "ebakul.requests.refused").SelectMany(Points).ToList();
        Assert.Contains(refusals, tags => tags.GetValueOrDefault("reason") as string == "SCOPE_MISSING"
            && tags.GetValueOrDefault("rpc.method") as string == "RecordPurchase" && tags.GetValueOrDefault("rpc.service") as string == "ebakul.ledger.v1.LedgerService");
        var metricNames = _metrics.Select(m => m.Name).ToHashSet();
        Assert.Contains("ebakul.purchases.recorded", metricNames);
        Assert.Contains("ebakul.requests.refused", metricNames);
        Assert.Contains("ebakul.payroll.close.duration", metricNames);
        Assert.Contains(_logs, l => l.TraceId != default);

        var everything = Dump();
        foreach (var secret in new[] { ownerNik, ownerName, employeeName, "Bearer " })
            Assert.DoesNotContain(secret, everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, everything);
    }

    private static IEnumerable<Dictionary<string, object?>> Points(Metric metric)
    {
        var points = new List<Dictionary<string, object?>>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags) tags[tag.Key] = tag.Value;
            points.Add(tags);
        }
        return points;
    }

    /// <summary>Every name, tag, event, link, metric point label and log text captured, as one text.</summary>
    private string Dump()
    {
        var text = new StringBuilder();
        foreach (var span in _spans)
        {
            text.AppendLine(span.DisplayName).AppendLine(span.StatusDescription);
            foreach (var tag in span.TagObjects) text.Append(tag.Key).Append('=').AppendLine(tag.Value?.ToString());
            foreach (var e in span.Events)
            {
                text.AppendLine(e.Name);
                foreach (var tag in e.Tags) text.Append(tag.Key).Append('=').AppendLine(tag.Value?.ToString());
            }
        }
        foreach (var metric in _metrics)
        {
            text.AppendLine(metric.Name);
            foreach (ref readonly var point in metric.GetMetricPoints())
                foreach (var tag in point.Tags) text.Append(tag.Key).Append('=').AppendLine(tag.Value?.ToString());
        }
        foreach (var log in _logs)
        {
            text.AppendLine(log.FormattedMessage).AppendLine(log.Body).AppendLine(log.Exception?.ToString());
            foreach (var attribute in log.Attributes ?? []) text.Append(attribute.Key).Append('=').AppendLine(attribute.Value?.ToString());
            log.ForEachScope((scope, sb) =>
            {
                foreach (var item in scope) sb.Append(item.Key).Append('=').AppendLine(item.Value?.ToString());
            }, text);
        }
        return text.ToString();
    }
}
