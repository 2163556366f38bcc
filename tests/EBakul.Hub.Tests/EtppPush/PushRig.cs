using System.Diagnostics;
using System.Net.Http.Json;
using EBakul.EtppSimulator;
using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using EBakul.Roster.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// e-TPP (the simulator on real Kestrel, loopback) and a hub on the test server that pushes Bojonegoro's adjustments to
/// it, with timeouts, delays, lease and breaker numbers small enough for a test to see every fault play out. The hub's
/// clock starts at <see cref="HubFactory.DefaultNow"/> (mid October 2025, so September is closable) and flows with real
/// time from the start: the dispatcher's leases and next-attempt times and Polly's circuit breaker read that clock while
/// their timers run in real time, so a standing clock would leave every lease, redelivery and break pending for ever.
/// </summary>
public sealed class PushRig : IAsyncDisposable
{
    /// <summary>Bojonegoro.</summary>
    public const string Regency = "35.22";

    /// <summary>The month closed.</summary>
    public const string Month = "2025-09";

    /// <summary>Longest wait for the outbox to drain.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    private readonly List<HubFactory> _hubs = [];

    private PushRig(RunningSimulator etpp, HubFactory hub)
    {
        Etpp = etpp;
        Hub = hub;
        _hubs.Add(hub);
    }

    /// <summary>The simulated e-TPP.</summary>
    public RunningSimulator Etpp { get; }

    /// <summary>The hub that closes the month (and pushes, unless started without push).</summary>
    public HubFactory Hub { get; }

    /// <summary>The payroll service of <see cref="Hub"/>, as the all-scope test caller.</summary>
    public PayrollService.PayrollServiceClient Payroll => new(Hub.Channel);

    /// <summary>
    /// Push settings for a hub pushing <see cref="Regency"/> to <paramref name="etpp"/>: 2 s per attempt, 3 retries 50-300 ms
    /// apart, 5 s in all; the breaker opens when half of at least 4 attempts in 2 s failed and stays open 1 s; the dispatcher
    /// claims 10 rows under an 8 s lease, pushes 4 employees at once, polls every 200 ms and re-queues after 200 ms (doubling).
    /// </summary>
    public static Dictionary<string, string?> PushSettings(Uri etpp) => new()
    {
        ["EtppPush:Regencies:0"] = Regency,
        ["EtppPush:BaseAddress"] = etpp.ToString(),
        ["EtppPush:Timeout"] = "00:00:02",
        ["EtppPush:Pipeline:TotalTimeout"] = "00:00:05",
        ["EtppPush:Pipeline:MaxRetries"] = "3",
        ["EtppPush:Pipeline:RetryDelay"] = "00:00:00.050",
        ["EtppPush:Pipeline:MaxRetryDelay"] = "00:00:00.300",
        ["EtppPush:Pipeline:BreakerFailureRatio"] = "0.5",
        ["EtppPush:Pipeline:BreakerMinimumThroughput"] = "4",
        ["EtppPush:Pipeline:BreakerSamplingDuration"] = "00:00:02",
        ["EtppPush:Pipeline:BreakerBreakDuration"] = "00:00:01",
        ["EtppPush:Dispatcher:Lease"] = "00:00:08",
        ["EtppPush:Dispatcher:PollInterval"] = "00:00:00.200",
        ["EtppPush:Dispatcher:RedeliveryDelay"] = "00:00:00.200",
        ["EtppPush:Dispatcher:BatchSize"] = "10",
        ["EtppPush:Dispatcher:Parallelism"] = "4",
    };

    /// <summary>
    /// <see cref="PushSettings"/> for a hub process a test kills mid-push: 5 s per push, 6 s leases (a dead process's
    /// rows are due again soon), batches of 4 pushed 2 at a time (some rows are still queued at the kill).
    /// </summary>
    public static Dictionary<string, string?> KillableProcessSettings(Uri etpp)
    {
        var settings = PushSettings(etpp);
        settings["EtppPush:Timeout"] = "00:00:05";
        settings["EtppPush:Pipeline:TotalTimeout"] = "00:00:05.500";
        settings["EtppPush:Dispatcher:Lease"] = "00:00:06";
        settings["EtppPush:Dispatcher:BatchSize"] = "4";
        settings["EtppPush:Dispatcher:Parallelism"] = "2";
        return settings;
    }

    /// <summary>
    /// Starts e-TPP with <paramref name="faults"/> (the body of <c>PUT /_sim/faults</c>; none when null) and a hub that
    /// pushes to it with <see cref="PushSettings"/> changed by <paramref name="tune"/>; <paramref name="push"/> false starts
    /// a hub without the push adapter (e-TPP pulls); <paramref name="tls"/> serves e-TPP over https from a certificate of that
    /// authority, requiring the hub's client certificate (mutual TLS).
    /// </summary>
    public static async Task<PushRig> StartAsync(object? faults = null, Action<Dictionary<string, string?>>? tune = null, bool push = true,
        TestPki? tls = null)
    {
        var etpp = await RunningSimulator.StartAsync(tls);
        if (faults is not null) await etpp.SetFaultsAsync(faults);
        var hub = new HubFactory(HubFactory.NewDatabasePath(), FlowingClock());
        if (push)
        {
            Configure(hub, etpp.BaseAddress, tune);
            foreach (var (key, value) in etpp.ClientSettings) hub.Settings[key] = value;
        }
        return new PushRig(etpp, hub);
    }

    /// <summary>A clock at <see cref="HubFactory.DefaultNow"/> that flows with real time.</summary>
    public static ManualTimeProvider FlowingClock()
    {
        var clock = new ManualTimeProvider(HubFactory.DefaultNow);
        clock.StartFlowing();
        return clock;
    }

    /// <summary>Adds the push settings (tuned) to a hub that has not started yet.</summary>
    public static void Configure(HubFactory hub, Uri etpp, Action<Dictionary<string, string?>>? tune = null)
    {
        var settings = PushSettings(etpp);
        tune?.Invoke(settings);
        foreach (var (key, value) in settings) hub.Settings[key] = value;
    }

    /// <summary>Another hub on <see cref="Hub"/>'s database and clock, pushing with the same (tuned) settings; started now.</summary>
    public HubFactory SecondHub(Action<Dictionary<string, string?>>? tune = null)
    {
        var hub = new HubFactory(Hub.DatabasePath, Hub.Clock);
        Configure(hub, Etpp.BaseAddress, tune);
        foreach (var (key, value) in Etpp.ClientSettings) hub.Settings[key] = value;
        _hubs.Add(hub);
        _ = hub.Services; // starts the host, and with it the dispatcher
        return hub;
    }

    /// <summary>Puts <paramref name="count"/> active employees on the roster who buy nothing: each owes a correction for the month.</summary>
    public async Task<List<string>> EmployeesAsync(int count)
    {
        var rows = Enumerable.Range(0, count).Select(_ => RosterTestData.Employee()).ToList();
        var response = await RosterTestData.SyncAsync(Hub.Channel, rows);
        Assert.All(response.Results, r => Assert.Equal(SyncOutcome.Created, r.Outcome));
        return [.. rows.Select(r => r.Nip)];
    }

    /// <summary>Closes <see cref="Month"/> and checks it created one adjustment per employee.</summary>
    public async Task CloseAsync(int expectedAdjustments)
    {
        // The rig's employees buy nothing, so that each owes an adjustment: the month is closed as it is, knowingly.
        var closed = await Payroll.ClosePeriodAsync(new ClosePeriodRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = Regency, Period = Month,
            ConfirmIncomplete = true, ConfirmReason = "every employee of the push rig owes the whole quota",
        });
        Assert.Equal(PeriodStatus.Closed, closed.Period.Status);
        Assert.Equal(expectedAdjustments, closed.AdjustmentsCreated);
    }

    /// <summary>Every adjustment of <see cref="Month"/> with its delivery, as the admin view lists them.</summary>
    public static async Task<List<Adjustment>> DeliveriesAsync(GrpcChannel channel)
    {
        var client = new PayrollService.PayrollServiceClient(channel);
        var all = new List<Adjustment>();
        var token = "";
        do
        {
            var page = await client.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest
            {
                RegencyCode = Regency, Period = Month, PageSize = 1000, PageToken = token,
            });
            all.AddRange(page.Adjustments);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    /// <summary>The admin view of <see cref="Hub"/>.</summary>
    public Task<List<Adjustment>> DeliveriesAsync() => DeliveriesAsync(Hub.Channel);

    /// <summary>Waits (bounded) until no adjustment is PENDING or DELIVERING; returns the admin view then.</summary>
    public static Task<List<Adjustment>> SettledAsync(GrpcChannel channel, string? diagnostics = null) =>
        UntilAsync(() => DeliveriesAsync(channel), all => all.All(Settled), "every adjustment delivered or parked", diagnostics);

    /// <summary>Waits (bounded) until no adjustment of <see cref="Hub"/> is PENDING or DELIVERING.</summary>
    public Task<List<Adjustment>> SettledAsync() => SettledAsync(Hub.Channel);

    /// <summary>Whether a delivery is final: DELIVERED or PARKED.</summary>
    public static bool Settled(Adjustment a) => a.DeliveryState is DeliveryState.Delivered or DeliveryState.Parked;

    /// <summary>Reads <paramref name="read"/> every 100 ms until <paramref name="done"/> holds, at most <see cref="SettleTimeout"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, string? diagnostics = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (waited.Elapsed > SettleTimeout)
                Assert.Fail($"not reached within {SettleTimeout}: {what}; last seen: {Describe(value)}{(diagnostics is null ? "" : "\n" + diagnostics)}");
            await Task.Delay(100);
        }
    }

    private static string Describe(object? value) => value switch
    {
        IEnumerable<Adjustment> adjustments => string.Join("; ", adjustments.Select(a =>
            $"{a.IdempotencyKey} {a.DeliveryState} attempts {a.DeliveryAttempts} {a.LastDeliveryError}")),
        AdjustmentListing listing => string.Join("; ", listing.Adjustments.Select(s => $"{s.Key} attempts {s.Attempts} applied {s.AppliedCount}")),
        _ => value?.ToString() ?? "null",
    };

    /// <summary>Replaces e-TPP's business refusals.</summary>
    public async Task RejectAsync(params string[] nips)
    {
        using var response = await Etpp.Control.PutAsJsonAsync("_sim/rejections", new RejectionSettings { RejectNips = nips }, SimulatorJson.Options);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The outcome every scenario must end in, checked from both sides: the hub holds one adjustment per employee of
    /// <paramref name="nips"/> and nothing else; an adjustment of an employee in <paramref name="parked"/> is PARKED with
    /// that text in its error and was never applied by e-TPP; an adjustment in <paramref name="pulled"/> (key to
    /// reference) is DELIVERED by pull and e-TPP never even received it; every other one is DELIVERED by push with the
    /// reference e-TPP applied it under, applied exactly once; and e-TPP applied nothing else. Returns e-TPP's view by key.
    /// </summary>
    public static async Task<Dictionary<string, AdjustmentState>> AssertOutcomeAsync(
        IReadOnlyList<Adjustment> hub, RunningSimulator etpp, IReadOnlyCollection<string> nips,
        IReadOnlyDictionary<string, string>? parked = null, IReadOnlyDictionary<string, string>? pulled = null)
    {
        parked ??= new Dictionary<string, string>();
        pulled ??= new Dictionary<string, string>();
        var seen = (await etpp.ListAsync()).Adjustments.ToDictionary(s => s.Key);

        Assert.Equal(nips.Order(), hub.Select(a => a.Nip).Order());
        foreach (var a in hub)
        {
            var state = seen.GetValueOrDefault(a.IdempotencyKey);
            if (parked.TryGetValue(a.Nip, out var reason))
            {
                Assert.True(a.DeliveryState == DeliveryState.Parked, $"{a.IdempotencyKey} is {a.DeliveryState}, expected PARKED");
                Assert.Contains(reason, a.LastDeliveryError);
                Assert.Equal(0, state?.AppliedCount ?? 0);
            }
            else if (pulled.TryGetValue(a.IdempotencyKey, out var reference))
            {
                Assert.True(a.DeliveryState == DeliveryState.Delivered, $"{a.IdempotencyKey} is {a.DeliveryState}, expected DELIVERED");
                Assert.Equal(("pull", reference), (a.DeliveredVia, a.EtppReference));
                Assert.Null(state);
            }
            else
            {
                Assert.True(a.DeliveryState == DeliveryState.Delivered,
                    $"{a.IdempotencyKey} is {a.DeliveryState} after {a.DeliveryAttempts} dispatches: {a.LastDeliveryError}");
                Assert.Equal("push", a.DeliveredVia);
                Assert.NotNull(state);
                Assert.Equal(1, state.AppliedCount);
                Assert.Equal(state.EtppReference, a.EtppReference);
                Assert.Equal(a.TppCorrectionRupiah, state.Adjustment!.TppCorrectionRupiah);
            }
        }
        var known = hub.Select(a => a.IdempotencyKey).ToHashSet();
        Assert.All(seen.Values.Where(s => s.AppliedCount > 0), s => Assert.Contains(s.Key, known));
        return seen;
    }

    /// <inheritdoc cref="AssertOutcomeAsync(IReadOnlyList{Adjustment}, RunningSimulator, IReadOnlyCollection{string}, IReadOnlyDictionary{string, string}?, IReadOnlyDictionary{string, string}?)"/>
    public Task<Dictionary<string, AdjustmentState>> AssertOutcomeAsync(IReadOnlyList<Adjustment> hub, IReadOnlyCollection<string> nips,
        IReadOnlyDictionary<string, string>? parked = null, IReadOnlyDictionary<string, string>? pulled = null) =>
        AssertOutcomeAsync(hub, Etpp, nips, parked, pulled);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var hub in Enumerable.Reverse(_hubs)) await hub.DisposeAsync();
        await Etpp.DisposeAsync();
    }
}
