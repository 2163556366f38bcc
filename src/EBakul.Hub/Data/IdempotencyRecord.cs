namespace EBakul.Hub.Data;

/// <summary>
/// The remembered outcome of a mutating request (table <c>idempotency_records</c>). Its primary key
/// (caller, request_id) is what makes a retried request run once: the row is inserted in the same
/// transaction as the change, so a concurrent twin either waits or finds it.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>The calling system.</summary>
    public required string CallerId { get; init; }
    /// <summary>The caller's request_id.</summary>
    public required string RequestId { get; init; }
    /// <summary>Full gRPC method name the id was first used with.</summary>
    public required string Method { get; init; }
    /// <summary>SHA-256 of the request without its request_id.</summary>
    public required byte[] RequestHash { get; init; }
    /// <summary>The serialized response returned the first time.</summary>
    public required byte[] Response { get; set; }
    /// <summary>When it was first handled.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
