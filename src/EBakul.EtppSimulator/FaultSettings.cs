using System.Text.Json.Serialization;

namespace EBakul.EtppSimulator;

/// <summary>
/// The faults the simulator injects into the contract endpoints. Read with <c>GET /_sim/faults</c>,
/// replaced as a whole with <c>PUT /_sim/faults</c> (fields left out take their defaults: no fault),
/// or set at start under <c>EtppSimulator:Faults</c>. Rates are probabilities from 0 to 1, drawn
/// independently for every request from one random generator seeded by <see cref="Seed"/>.
/// </summary>
/// <remarks>
/// A POST goes through the faults in this order: latency (unless <see cref="LatencyAfterApply"/>),
/// outage, connection reset before applying, transient error before applying; then the adjustment is
/// handled (and applied if valid); then latency when <see cref="LatencyAfterApply"/>, connection reset
/// after applying, transient error after applying, malformed answer. The first fault that ends the
/// request wins. The faults "after applying" are how an adjustment gets applied while the hub never
/// sees the answer.
/// A GET of one adjustment only sees latency, outage, reset before applying and transient error before applying.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class FaultSettings
{
    /// <summary>The answers <see cref="OutageMode"/> can name.</summary>
    public static readonly string[] OutageModes = [OutageUnavailable, OutageReset];

    /// <summary>During an outage every request is answered 503 with <c>Retry-After</c> (seconds left in the window).</summary>
    public const string OutageUnavailable = "unavailable";

    /// <summary>During an outage every connection is reset without an answer.</summary>
    public const string OutageReset = "reset";

    /// <summary>The kinds of malformed answer (all answered with status 200).</summary>
    public static readonly string[] MalformedKinds = ["garbage", "truncated", "missing_reference", "empty_reference", "wrong_key"];

    /// <summary>Statuses a transient error may be answered with (all transient by the contract).</summary>
    public static readonly int[] TransientStatuses = [408, 429, 500, 502, 503, 504];

    /// <summary>Seed of the random generator; the same seed and the same requests give the same faults. Null: seeded from the clock.</summary>
    public int? Seed { get; set; }

    /// <summary>Probability that a request is answered with a transient error before anything is applied.</summary>
    public double TransientErrorRate { get; set; }

    /// <summary>Probability that a POST is answered with a transient error after the adjustment was handled (and applied, if valid).</summary>
    public double TransientErrorAfterApplyRate { get; set; }

    /// <summary>Statuses used for transient errors, one picked at random per error. Default 503 and 500.</summary>
    public int[]? TransientErrorStatuses { get; set; }

    /// <summary><c>Retry-After</c> seconds sent with injected transient errors; null sends none.</summary>
    public int? TransientRetryAfterSeconds { get; set; }

    /// <summary>Milliseconds added to every request.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Up to this many milliseconds more, drawn at random per request.</summary>
    public int LatencyJitterMs { get; set; }

    /// <summary>
    /// False (default): the delay comes before the adjustment is handled, and a caller that gives up during it
    /// leaves nothing applied. True: the adjustment is applied first and the answer delayed, so a caller's
    /// timeout loses an answer for an adjustment that was applied.
    /// </summary>
    public bool LatencyAfterApply { get; set; }

    /// <summary>Write-only shortcut: an outage from now for this many seconds, turned into an entry of <see cref="OutageWindows"/>.</summary>
    public double? DownForSeconds { get; set; }

    /// <summary>Instants between which (from inclusive, to exclusive) every request meets the outage.</summary>
    public OutageWindow[]? OutageWindows { get; set; }

    /// <summary>How the outage answers: <c>unavailable</c> (503 with Retry-After, the default) or <c>reset</c> (connection reset).</summary>
    public string? OutageMode { get; set; }

    /// <summary>Probability that a POST's answer is replaced, after the adjustment was handled, by a 200 with a body that does not validate.</summary>
    public double MalformedAnswerRate { get; set; }

    /// <summary>
    /// The malformed answers to pick from: <c>garbage</c> (an HTML page), <c>truncated</c> (cut-off JSON),
    /// <c>missing_reference</c>, <c>empty_reference</c>, <c>wrong_key</c>. Default: all of them.
    /// </summary>
    public string[]? MalformedAnswerKinds { get; set; }

    /// <summary>Probability that the connection is reset before anything is applied.</summary>
    public double ResetBeforeApplyRate { get; set; }

    /// <summary>Probability that a POST's connection is reset after the adjustment was handled (and applied, if valid): the answer is lost.</summary>
    public double ResetAfterApplyRate { get; set; }

    /// <summary>Every problem with these settings; empty when they can be used.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        void Rate(string name, double value)
        {
            if (!(value >= 0 && value <= 1)) problems.Add($"{name} must be between 0 and 1");
        }
        Rate("transient_error_rate", TransientErrorRate);
        Rate("transient_error_after_apply_rate", TransientErrorAfterApplyRate);
        Rate("malformed_answer_rate", MalformedAnswerRate);
        Rate("reset_before_apply_rate", ResetBeforeApplyRate);
        Rate("reset_after_apply_rate", ResetAfterApplyRate);
        if (TransientErrorStatuses is { Length: 0 }) problems.Add("transient_error_statuses must not be empty");
        foreach (var status in TransientErrorStatuses ?? [])
            if (!TransientStatuses.Contains(status)) problems.Add($"transient_error_statuses: {status} is not one of {string.Join(", ", TransientStatuses)}");
        if (TransientRetryAfterSeconds is < 0) problems.Add("transient_retry_after_seconds must not be negative");
        if (LatencyMs is < 0 or > 600_000) problems.Add("latency_ms must be between 0 and 600000");
        if (LatencyJitterMs is < 0 or > 600_000) problems.Add("latency_jitter_ms must be between 0 and 600000");
        if (DownForSeconds is { } down && !(down >= 0 && down <= 31_536_000)) problems.Add("down_for_seconds must be between 0 and 31536000");
        foreach (var window in OutageWindows ?? [])
            if (window.To <= window.From) problems.Add($"outage window {window.From:O}..{window.To:O}: to must be after from");
        if (OutageMode is not null && !OutageModes.Contains(OutageMode)) problems.Add($"outage_mode must be one of {string.Join(", ", OutageModes)}");
        if (MalformedAnswerKinds is { Length: 0 }) problems.Add("malformed_answer_kinds must not be empty");
        foreach (var kind in MalformedAnswerKinds ?? [])
            if (!MalformedKinds.Contains(kind)) problems.Add($"malformed_answer_kinds: {kind} is not one of {string.Join(", ", MalformedKinds)}");
        return problems;
    }

    /// <summary>A copy with every default filled in and <see cref="DownForSeconds"/> turned into an outage window from <paramref name="now"/>.</summary>
    public FaultSettings Normalized(DateTimeOffset now)
    {
        var windows = (OutageWindows ?? []).ToList();
        if (DownForSeconds is > 0) windows.Add(new OutageWindow { From = now, To = now.AddSeconds(DownForSeconds.Value) });
        return new FaultSettings
        {
            Seed = Seed,
            TransientErrorRate = TransientErrorRate,
            TransientErrorAfterApplyRate = TransientErrorAfterApplyRate,
            TransientErrorStatuses = TransientErrorStatuses ?? [503, 500],
            TransientRetryAfterSeconds = TransientRetryAfterSeconds,
            LatencyMs = LatencyMs,
            LatencyJitterMs = LatencyJitterMs,
            LatencyAfterApply = LatencyAfterApply,
            DownForSeconds = null,
            OutageWindows = [.. windows],
            OutageMode = OutageMode ?? OutageUnavailable,
            MalformedAnswerRate = MalformedAnswerRate,
            MalformedAnswerKinds = MalformedAnswerKinds ?? MalformedKinds,
            ResetBeforeApplyRate = ResetBeforeApplyRate,
            ResetAfterApplyRate = ResetAfterApplyRate,
        };
    }
}

/// <summary>A stretch of time during which e-TPP is down.</summary>
public sealed class OutageWindow
{
    /// <summary>Start of the outage (inclusive).</summary>
    public DateTimeOffset From { get; set; }

    /// <summary>End of the outage (exclusive).</summary>
    public DateTimeOffset To { get; set; }
}
