using Microsoft.Extensions.Options;

namespace EBakul.EtppSimulator;

/// <summary>
/// Holds the faults in force and decides, once per request and before anything is handled, which of them
/// that request meets. Deciding everything up front keeps a seeded run reproducible whatever the answers are.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private FaultSettings _settings;
    private Random _random;

    /// <summary>Starts with the configured faults.</summary>
    public FaultInjector(IOptions<EtppSimulatorOptions> options, TimeProvider clock)
    {
        _clock = clock;
        var problems = options.Value.Faults.Problems();
        if (problems.Count > 0)
            throw new InvalidOperationException($"{EtppSimulatorOptions.Section}:Faults is invalid: {string.Join("; ", problems)}");
        _settings = options.Value.Faults.Normalized(clock.GetUtcNow());
        _random = NewRandom(_settings.Seed);
    }

    /// <summary>The faults in force (with defaults filled in; treat as read-only).</summary>
    public FaultSettings Current
    {
        get { lock (_gate) return _settings; }
    }

    /// <summary>Replaces the faults and restarts the random generator from the new seed; returns the problems instead when the settings are invalid.</summary>
    public IReadOnlyList<string> Replace(FaultSettings settings)
    {
        var problems = settings.Problems();
        if (problems.Count > 0) return problems;
        var normalized = settings.Normalized(_clock.GetUtcNow());
        lock (_gate)
        {
            _settings = normalized;
            _random = NewRandom(normalized.Seed);
        }
        return [];
    }

    /// <summary>Draws the faults one request meets.</summary>
    public FaultPlan Plan()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var s = _settings;
            var latency = TimeSpan.FromMilliseconds(s.LatencyMs + (s.LatencyJitterMs > 0 ? _random.Next(s.LatencyJitterMs + 1) : 0));
            var outage = s.OutageWindows!.Where(w => w.From <= now && now < w.To).Select(w => (TimeSpan?)(w.To - now)).Max();
            // Every draw happens on every request, so the sequence depends only on the seed and the request count.
            var resetBefore = Draw(s.ResetBeforeApplyRate);
            var errorBefore = Draw(s.TransientErrorRate);
            var errorBeforeStatus = Pick(s.TransientErrorStatuses!);
            var resetAfter = Draw(s.ResetAfterApplyRate);
            var errorAfter = Draw(s.TransientErrorAfterApplyRate);
            var errorAfterStatus = Pick(s.TransientErrorStatuses!);
            var malformed = Draw(s.MalformedAnswerRate);
            var malformedKind = Pick(s.MalformedAnswerKinds!);
            return new FaultPlan(
                latency, s.LatencyAfterApply,
                outage, s.OutageMode == FaultSettings.OutageReset,
                resetBefore,
                errorBefore ? errorBeforeStatus : null,
                resetAfter,
                errorAfter ? errorAfterStatus : null,
                malformed ? malformedKind : null,
                s.TransientRetryAfterSeconds);
        }
    }

    private bool Draw(double rate) => _random.NextDouble() < rate;

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private static Random NewRandom(int? seed) => seed is { } value ? new Random(value) : new Random();
}

/// <summary>The faults one request meets, decided when it arrives.</summary>
/// <param name="Latency">Delay added to the request.</param>
/// <param name="LatencyAfterApply">Whether the delay comes after the adjustment is handled rather than before.</param>
/// <param name="OutageLeft">Time left in the outage the request arrived in; null when e-TPP is up.</param>
/// <param name="OutageResets">Whether the outage resets the connection rather than answering 503.</param>
/// <param name="ResetBeforeApply">Reset the connection before handling the request.</param>
/// <param name="ErrorBeforeApply">Status of a transient error answered before handling; null for none.</param>
/// <param name="ResetAfterApply">Reset the connection after handling the request.</param>
/// <param name="ErrorAfterApply">Status of a transient error answered after handling; null for none.</param>
/// <param name="MalformedKind">Kind of malformed answer replacing the real one; null for none.</param>
/// <param name="RetryAfterSeconds"><c>Retry-After</c> for injected transient errors; null for none.</param>
public sealed record FaultPlan(
    TimeSpan Latency,
    bool LatencyAfterApply,
    TimeSpan? OutageLeft,
    bool OutageResets,
    bool ResetBeforeApply,
    int? ErrorBeforeApply,
    bool ResetAfterApply,
    int? ErrorAfterApply,
    string? MalformedKind,
    int? RetryAfterSeconds);
