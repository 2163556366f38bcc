namespace EBakul.Hub.Audit;

/// <summary>One change made through the hub (table <c>audit_events</c>), chained to the previous one by SHA-256.</summary>
public sealed class AuditEvent
{
    /// <summary>Position in the chain, from 1 (primary key, assigned by the writer, never reused).</summary>
    public long Sequence { get; init; }
    /// <summary>When the change was committed.</summary>
    public DateTimeOffset OccurredAt { get; init; }
    /// <summary>The calling system.</summary>
    public required string CallerId { get; init; }
    /// <summary>The gRPC method or internal action.</summary>
    public required string Method { get; init; }
    /// <summary>The caller's request_id.</summary>
    public required string RequestId { get; init; }
    /// <summary>The regency concerned, or empty.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>What was asked, as JSON, personal data masked.</summary>
    public required string Details { get; init; }
    /// <summary>W3C trace id of the call.</summary>
    public required string TraceId { get; init; }
    /// <summary>SHA-256 (hex) of the previous event; 64 zeros for the first.</summary>
    public required string PreviousHash { get; init; }
    /// <summary>SHA-256 (hex) of this event's fields and <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; init; }
}
