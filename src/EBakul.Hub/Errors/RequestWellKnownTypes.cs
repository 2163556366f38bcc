using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace EBakul.Hub.Errors;

/// <summary>
/// Checks the well-known types of a parsed request before anything reads it: every <c>google.protobuf.Timestamp</c>
/// must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z with nanos in [0, 1e9), every
/// <c>google.protobuf.Duration</c> within ±10,000 years with nanos of the same sign below 1e9 (an out-of-range value
/// cannot be converted to a .NET time and would otherwise fail the call as UNKNOWN). Output-only fields that a client
/// sends anyway (the hub's own <c>create_time</c>, <c>update_time</c>… echoed back in a request) are cleared, as
/// AIP-203 says, so they are never read, checked or written. Dates and field masks are checked by the domain, which
/// knows what they mean.
/// </summary>
public static class RequestWellKnownTypes
{
    /// <summary>Fields the hub sets and a request never does; in a request they are ignored.</summary>
    private static readonly HashSet<string> OutputOnlyFields =
    [
        "create_time", "update_time", "record_time", "deliver_time", "close_time", "closable_from",
        "grant_time", "revoke_time", "event_time",
    ];

    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;

    /// <summary>Whether <paramref name="t"/> is an instant .NET can represent (what <c>ToDateTimeOffset</c> accepts).</summary>
    public static bool IsInRange(Google.Protobuf.WellKnownTypes.Timestamp t) =>
        t.Nanos is >= 0 and < 1_000_000_000 && t.Seconds is >= MinTimestampSeconds and <= MaxTimestampSeconds;

    /// <summary>Clears output-only fields and returns a violation for each out-of-range Timestamp or Duration.</summary>
    public static List<FieldViolation> Check(IMessage request)
    {
        var violations = new List<FieldViolation>();
        Walk(request, "", violations, depth: 0);
        return violations;
    }

    private static void Walk(IMessage message, string prefix, List<FieldViolation> violations, int depth)
    {
        if (depth > 32) return;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message) continue;
            var path = prefix + field.Name;
            if (field.IsMap)
            {
                if (field.MessageType.FindFieldByNumber(2) is not { FieldType: FieldType.Message }) continue;
                foreach (DictionaryEntry entry in (IDictionary)field.Accessor.GetValue(message))
                    if (entry.Value is IMessage value) Visit(value, $"{path}[{entry.Key}]", violations, depth);
                continue;
            }
            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var i = 0; i < list.Count; i++)
                    if (list[i] is IMessage item) Visit(item, $"{path}[{i}]", violations, depth);
                continue;
            }
            if (field.Accessor.GetValue(message) is not IMessage child) continue;
            if (OutputOnlyFields.Contains(field.Name))
            {
                field.Accessor.Clear(message);
                continue;
            }
            Visit(child, path, violations, depth);
        }
    }

    private static void Visit(IMessage value, string path, List<FieldViolation> violations, int depth)
    {
        switch (value)
        {
            case Google.Protobuf.WellKnownTypes.Timestamp t:
                if (t.Nanos is < 0 or >= 1_000_000_000)
                    violations.Add(new FieldViolation(path, "TIMESTAMP_OUT_OF_RANGE", "nanos must be in 0..999,999,999"));
                else if (t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
                    violations.Add(new FieldViolation(path, "TIMESTAMP_OUT_OF_RANGE",
                        "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"));
                return;
            case Google.Protobuf.WellKnownTypes.Duration d:
                if (d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is <= -1_000_000_000 or >= 1_000_000_000
                    || (d.Seconds > 0 && d.Nanos < 0) || (d.Seconds < 0 && d.Nanos > 0))
                    violations.Add(new FieldViolation(path, "DURATION_OUT_OF_RANGE",
                        "must be within ±10,000 years, with nanos below 1e9 and of the same sign as seconds"));
                return;
            default:
                Walk(value, path + ".", violations, depth + 1);
                return;
        }
    }
}
