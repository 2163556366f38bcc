using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace EBakul.EtppSimulator;

/// <summary>
/// What the simulated e-TPP received and applied: every key seen, how many attempts reached it, and the
/// adjustment applied under it (at most once). Kept in memory and, when <see cref="EtppSimulatorOptions.StorePath"/>
/// is set, in a JSON-lines file written before any answer is sent, so a restart keeps the state.
/// </summary>
public sealed class AdjustmentStore : IDisposable
{
    private const string ReferencePrefix = "ETPP-";

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, AdjustmentState> _byKey = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<(string, string, string), int> _latestAppliedRevision = [];
    private readonly FileStream? _file;
    private long _lastSequence;

    /// <summary>Loads the file, if one is configured, and opens it for appending.</summary>
    public AdjustmentStore(IOptions<EtppSimulatorOptions> options, TimeProvider clock, ILogger<AdjustmentStore> log)
    {
        _clock = clock;
        var path = options.Value.StorePath;
        if (string.IsNullOrWhiteSpace(path)) return;

        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path)) Load(path, log);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        // A line cut short by a crash must not swallow the next one.
        if (_file.Length > 0 && LastByte(path) != (byte)'\n') _file.Write("\n"u8);
        log.LogInformation("Store {Path}: {Keys} keys, {Applied} applied", path, _byKey.Count, _byKey.Values.Count(s => s.AppliedCount > 0));
    }

    /// <summary>
    /// Counts one attempt that reached e-TPP for a key, whatever its answer turns out to be, with the W3C
    /// <c>traceparent</c> it came with (the latest attempt's is kept).
    /// </summary>
    public void CountAttempt(string key, string? traceparent = null)
    {
        lock (_gate)
        {
            var state = Get(key);
            Put(state with { Attempts = state.Attempts + 1, Traceparent = traceparent ?? state.Traceparent }, durable: false);
        }
    }

    /// <summary>Applies an adjustment unless its key was applied before or e-TPP refuses it; see docs/etpp-push-contract.md.</summary>
    public SubmitOutcome Submit(TppAdjustment adjustment, RejectionRules rules)
    {
        lock (_gate)
        {
            var state = Get(adjustment.Key);
            if (state.Adjustment is not null)
            {
                return state.Adjustment == adjustment
                    ? new SubmitOutcome(SubmitResult.Duplicate, state.Answer, null, null)
                    : new SubmitOutcome(SubmitResult.KeyReused, null, "IDEMPOTENCY_KEY_REUSED",
                        $"{adjustment.Key} was applied on {state.AppliedAt:O} as {state.EtppReference} with a different payload");
            }
            if (_latestAppliedRevision.TryGetValue(adjustment.Subject, out var latest) && latest > adjustment.Revision)
            {
                return new SubmitOutcome(SubmitResult.Rejected, null, "REVISION_SUPERSEDED",
                    $"revision {latest} of {adjustment.Nip} for {adjustment.Period} is already applied");
            }
            if (rules.Check(adjustment) is { } rejection)
                return new SubmitOutcome(SubmitResult.Rejected, null, rejection.Code, rejection.Message);

            var sequence = ++_lastSequence;
            var applied = state with
            {
                AppliedCount = state.AppliedCount + 1,
                Adjustment = adjustment,
                EtppReference = ReferencePrefix + sequence.ToString("D8", CultureInfo.InvariantCulture),
                AppliedAt = _clock.GetUtcNow().ToOffset(TimeSpan.FromHours(7)),
            };
            Put(applied, durable: true);
            _latestAppliedRevision[adjustment.Subject] = Math.Max(latest, adjustment.Revision);
            if (adjustment.SupersedesKey is { } earlierKey && _byKey.TryGetValue(earlierKey, out var earlier) && earlier.Adjustment is not null)
                Put(earlier with { SupersededBy = adjustment.Key }, durable: true);
            return new SubmitOutcome(SubmitResult.Applied, applied.Answer, null, null);
        }
    }

    /// <summary>The state of one key, or null if it was never seen.</summary>
    public AdjustmentState? Find(string key)
    {
        lock (_gate) return _byKey.GetValueOrDefault(key);
    }

    /// <summary>Every key seen, in the order first seen.</summary>
    public IReadOnlyList<AdjustmentState> All()
    {
        lock (_gate) return [.. _order.Select(k => _byKey[k])];
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();

    private AdjustmentState Get(string key) =>
        _byKey.GetValueOrDefault(key) ?? new AdjustmentState(key, 0, 0, null, null, null, null);

    private void Put(AdjustmentState state, bool durable)
    {
        if (_file is not null)
        {
            _file.Write(JsonSerializer.SerializeToUtf8Bytes(state, SimulatorJson.Options));
            _file.Write("\n"u8);
            _file.Flush(flushToDisk: durable);
        }
        if (_byKey.TryAdd(state.Key, state)) _order.Add(state.Key);
        else _byKey[state.Key] = state;
    }

    private void Load(string path, ILogger log)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            AdjustmentState? state;
            try
            {
                state = JsonSerializer.Deserialize<AdjustmentState>(line, SimulatorJson.Options);
            }
            catch (JsonException e)
            {
                log.LogWarning("Store {Path} line {Line} skipped: {Error}", path, lineNumber, e.Message);
                continue;
            }
            if (state?.Key is null) continue;
            if (_byKey.TryAdd(state.Key, state)) _order.Add(state.Key);
            else _byKey[state.Key] = state;
        }
        foreach (var state in _byKey.Values)
        {
            if (state.Adjustment is not { } adjustment) continue;
            _latestAppliedRevision[adjustment.Subject] = Math.Max(_latestAppliedRevision.GetValueOrDefault(adjustment.Subject), adjustment.Revision);
            if (state.EtppReference is { } reference && reference.StartsWith(ReferencePrefix, StringComparison.Ordinal)
                && long.TryParse(reference.AsSpan(ReferencePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                _lastSequence = Math.Max(_lastSequence, sequence);
        }
    }

    private static byte LastByte(string path)
    {
        using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        read.Seek(-1, SeekOrigin.End);
        return (byte)read.ReadByte();
    }
}

/// <summary>What e-TPP knows about one idempotency key.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Attempts">Requests that reached e-TPP for this key, faulted or not.</param>
/// <param name="AppliedCount">Times the adjustment was applied: 0 or 1, never more.</param>
/// <param name="Adjustment">The adjustment applied under the key; null until applied.</param>
/// <param name="EtppReference">e-TPP's reference for the application; null until applied.</param>
/// <param name="AppliedAt">When it was applied; null until applied.</param>
/// <param name="SupersededBy">Key of the later revision applied over this one, if any.</param>
/// <param name="Traceparent">The W3C <c>traceparent</c> header of the latest attempt, if it had one.</param>
public sealed record AdjustmentState(
    string Key,
    int Attempts,
    int AppliedCount,
    TppAdjustment? Adjustment,
    string? EtppReference,
    DateTimeOffset? AppliedAt,
    string? SupersededBy,
    string? Traceparent = null)
{
    /// <summary>The success answer for an applied key (the same on every repeat).</summary>
    [JsonIgnore]
    public AppliedAnswer? Answer => EtppReference is null ? null : new AppliedAnswer(Key, EtppReference, AppliedAt!.Value);
}

/// <summary>The body of a success answer: <c>{key, etpp_reference, applied_at}</c>.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="EtppReference">e-TPP's reference for the application.</param>
/// <param name="AppliedAt">When it was applied.</param>
public sealed record AppliedAnswer(string Key, string EtppReference, DateTimeOffset AppliedAt);

/// <summary>How <see cref="AdjustmentStore.Submit"/> ended.</summary>
public enum SubmitResult
{
    /// <summary>Applied now (201).</summary>
    Applied,

    /// <summary>Applied earlier with the same payload (200).</summary>
    Duplicate,

    /// <summary>Applied earlier with a different payload (409).</summary>
    KeyReused,

    /// <summary>Refused for a business reason (422).</summary>
    Rejected,
}

/// <summary>The result of submitting one adjustment.</summary>
/// <param name="Result">How it ended.</param>
/// <param name="Answer">The success body for <see cref="SubmitResult.Applied"/> and <see cref="SubmitResult.Duplicate"/>.</param>
/// <param name="Code">The error code otherwise.</param>
/// <param name="Message">The error message otherwise.</param>
public sealed record SubmitOutcome(SubmitResult Result, AppliedAnswer? Answer, string? Code, string? Message);
