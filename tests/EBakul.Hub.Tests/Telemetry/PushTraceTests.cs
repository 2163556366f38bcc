using System.Diagnostics;
using EBakul.Hub.Tests.EtppPush;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// The trace of a push to e-TPP, captured in memory while e-TPP (the simulator) is down for a moment: each push's span
/// is linked to the close that produced the adjustment, holds one child span per attempt, records retries and breaker
/// transitions as events, and its trace is the one the <c>traceparent</c> e-TPP received names.
/// </summary>
[Collection(PushTestCollection.Name)]
public sealed class PushTraceTests
{
    [Fact]
    public async Task Each_push_is_linked_to_its_close_and_e_TPP_receives_the_push_trace_in_traceparent()
    {
        var spans = new Captured<Activity>();
        await using var rig = await PushRig.StartAsync();
        rig.Hub.Settings["Telemetry:Tracing"] = "true";
        rig.Hub.ConfigureServices = services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
        var nips = await rig.EmployeesAsync(6);
        // e-TPP down from the close on: pushes fail, retry and open the breaker; once enough attempts have failed, e-TPP
        // is back and everything goes through.
        await rig.Etpp.SetFaultsAsync(new { down_for_seconds = 600, outage_mode = "unavailable" });
        await rig.CloseAsync(6);
        await PushRig.UntilAsync(rig.Etpp.ListAsync, listing => listing.Attempts >= 8, "8 attempts refused by e-TPP");
        await rig.Etpp.ClearFaultsAsync();
        var settled = await rig.SettledAsync();
        await rig.AssertOutcomeAsync(settled, nips);
        rig.Hub.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var captured = spans.Snapshot();
        // The meter and the activity source are the process's: spans of other tests' hubs may be captured too (with links
        // to their own closes). This hub's pushes are those of its adjustments, and its close is the one they are linked to.
        var ours = settled.Select(a => a.AdjustmentId).ToHashSet();
        var pushes = captured.Where(s => s.DisplayName == "ebakul.etpp.push" && s.Links.Any()
            && s.GetTagItem("ebakul.adjustment.id") is string id && ours.Contains(id)).ToList();
        Assert.NotEmpty(pushes);
        var linked = pushes.Select(p => Assert.Single(p.Links).Context).Distinct().ToList();
        var close = Assert.Single(captured, s => s.DisplayName == "ebakul.close" && s.Context == Assert.Single(linked));
        Assert.Equal((PushRig.Regency, PushRig.Month), ((string?)close.GetTagItem("ebakul.regency"), (string?)close.GetTagItem("ebakul.period")));
        Assert.Equal(["ebakul.close.begin", "ebakul.close.complete", "ebakul.close.evaluate"],
            captured.Where(s => s.ParentSpanId == close.SpanId).Select(s => s.DisplayName).Order());
        Assert.All(pushes, p => Assert.Contains(captured, d => d.DisplayName == "ebakul.outbox.dispatch" && d.SpanId == p.ParentSpanId));
        var traces = pushes.Select(p => p.TraceId).ToHashSet();
        var attempts = captured.Where(s => s.DisplayName == "ebakul.etpp.push.attempt" && traces.Contains(s.TraceId)).ToList();
        Assert.All(attempts, a => Assert.Contains(pushes, p => p.SpanId == a.ParentSpanId));
        Assert.True(attempts.Count > settled.Count, "every push succeeded at its first attempt: the outage was not seen");

        // e-TPP was down: some push retried, and the breaker opened and closed again, each an event on a push's span.
        var events = pushes.SelectMany(p => p.Events).Select(e => e.Name).ToHashSet();
        Assert.Contains("etpp.push.retry", events);
        Assert.Contains("etpp.breaker.opened", events);
        Assert.Contains("etpp.breaker.closed", events);

        // What e-TPP received: every applied key's latest attempt names, in traceparent, a span of a push's trace.
        var received = (await rig.Etpp.ListAsync()).Adjustments;
        var applied = pushes.Where(p => (string?)p.GetTagItem("ebakul.etpp.outcome") == "applied").ToList();
        Assert.Equal(settled.Count, applied.Count);
        foreach (var state in received)
        {
            Assert.NotNull(state.Traceparent);
            var parts = state.Traceparent.Split('-');
            Assert.Equal(4, parts.Length);
            var traceId = ActivityTraceId.CreateFromString(parts[1]);
            Assert.Contains(applied, p => p.TraceId == traceId);
            // The parent it names is the HTTP client span of one of that push's attempts.
            var named = captured.Where(s => s.TraceId == traceId && s.SpanId.ToHexString() == parts[2]).ToList();
            Assert.True(named.Count == 1, string.Join("; ", named.Select(s => $"{s.DisplayName} {s.Kind} {s.Source.Name} {s.OperationName} {s.GetHashCode()}")));
            var client = named[0];
            Assert.Equal(ActivityKind.Client, client.Kind);
            Assert.Contains(attempts, a => a.SpanId == client.ParentSpanId);
        }
    }
}
