using Grpc.Core;

namespace EBakul.Hub.Errors;

/// <summary>One field that failed validation: the request field path, a stable UPPER_SNAKE reason and a description.</summary>
public sealed record FieldViolation(string Field, string Reason, string Description);

/// <summary>
/// A domain failure that the caller caused or must handle. It carries the gRPC status code, a stable
/// UPPER_SNAKE reason (sent as <c>google.rpc.ErrorInfo.reason</c>) and, for invalid input, the field
/// violations (sent as <c>google.rpc.BadRequest</c>). <see cref="HubErrorInterceptor"/> turns it into
/// the wire status; nothing else does.
/// </summary>
public sealed class HubException : Exception
{
    private HubException(StatusCode code, string reason, string message, IReadOnlyList<FieldViolation> violations)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Violations = violations;
    }

    /// <summary>The gRPC status code.</summary>
    public StatusCode Code { get; }

    /// <summary>Stable UPPER_SNAKE reason, e.g. <c>MERCHANT_NOT_ACTIVE</c>.</summary>
    public string Reason { get; }

    /// <summary>Field violations; empty unless the code is INVALID_ARGUMENT.</summary>
    public IReadOnlyList<FieldViolation> Violations { get; }

    /// <summary>INVALID_ARGUMENT with one or more field violations.</summary>
    public static HubException InvalidArgument(IReadOnlyList<FieldViolation> violations) =>
        new(StatusCode.InvalidArgument, violations.Count == 1 ? violations[0].Reason : "REQUEST_INVALID",
            violations.Count == 1
                ? $"{violations[0].Field}: {violations[0].Description}"
                : $"{violations.Count} fields are invalid: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")),
            violations);

    /// <summary>INVALID_ARGUMENT for a single field.</summary>
    public static HubException InvalidField(string field, string reason, string description) =>
        InvalidArgument([new FieldViolation(field, reason, description)]);

    /// <summary>INVALID_ARGUMENT for a request that is wrong as a whole (its body does not parse), without field violations.</summary>
    public static HubException Unparseable(string reason, string message) => new(StatusCode.InvalidArgument, reason, message, []);

    /// <summary>UNAVAILABLE: the hub cannot serve this now (its storage is full or failing); retrying later may succeed.</summary>
    public static HubException Unavailable(string reason, string message) => new(StatusCode.Unavailable, reason, message, []);

    /// <summary>NOT_FOUND: the named resource does not exist (in the caller's regency).</summary>
    public static HubException NotFound(string reason, string message) => new(StatusCode.NotFound, reason, message, []);

    /// <summary>ALREADY_EXISTS: the request would create a second copy of something unique.</summary>
    public static HubException AlreadyExists(string reason, string message) => new(StatusCode.AlreadyExists, reason, message, []);

    /// <summary>FAILED_PRECONDITION: the request is well formed but the system is not in a state to apply it.</summary>
    public static HubException FailedPrecondition(string reason, string message) => new(StatusCode.FailedPrecondition, reason, message, []);

    /// <summary>
    /// FAILED_PRECONDITION with the figures that decided it, sent as <c>ErrorInfo.metadata</c> (lowerCamel keys, values as
    /// text) so that a program can read them.
    /// </summary>
    public static HubException FailedPrecondition(string reason, string message, IReadOnlyDictionary<string, string> metadata) =>
        new(StatusCode.FailedPrecondition, reason, message, []) { Metadata = metadata };

    /// <summary>
    /// The same failure with each violation's field path named as the proto3 JSON mapping names it
    /// (<c>purchase.amount_rupiah</c> becomes <c>purchase.amountRupiah</c>; indexes and map keys in brackets are kept), for a
    /// call made over HTTP/JSON.
    /// </summary>
    public HubException WithJsonFieldNames()
    {
        if (Violations.Count == 0) return this;
        var violations = Violations.Select(v => v with { Field = JsonFieldPath(v.Field) }).ToList();
        var message = Message;
        foreach (var (before, after) in Violations.Zip(violations))
            message = message.Replace(before.Field + ":", after.Field + ":", StringComparison.Ordinal);
        return new HubException(Code, Reason, message, violations) { Metadata = Metadata };
    }

    private static string JsonFieldPath(string path)
    {
        var json = new System.Text.StringBuilder(path.Length);
        var inBrackets = false;
        var upper = false;
        foreach (var c in path)
        {
            if (c == '[') inBrackets = true;
            else if (c == ']') inBrackets = false;
            if (!inBrackets && c == '_' ) { upper = true; continue; }
            json.Append(upper && !inBrackets ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return json.ToString();
    }

    /// <summary>Figures sent as <c>ErrorInfo.metadata</c>; empty for most errors.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = new Dictionary<string, string>();


    /// <summary>UNAUTHENTICATED: no valid credential on the call.</summary>
    public static HubException Unauthenticated(string reason, string message) => new(StatusCode.Unauthenticated, reason, message, []);

    /// <summary>PERMISSION_DENIED: the caller may not do this (said before anything about the resource is looked up).</summary>
    public static HubException PermissionDenied(string reason, string message) => new(StatusCode.PermissionDenied, reason, message, []);

    /// <summary>RESOURCE_EXHAUSTED: a limit of the caller was reached; retrying at once will not help.</summary>
    public static HubException ResourceExhausted(string reason, string message) => new(StatusCode.ResourceExhausted, reason, message, []);
}
