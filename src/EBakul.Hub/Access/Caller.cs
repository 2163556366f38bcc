namespace EBakul.Hub.Access;

/// <summary>A registered calling system (table <c>callers</c>).</summary>
public sealed class Caller
{
    /// <summary>Stable id, e.g. "etpp-bojonegoro"; what <c>recorded_by</c> and the audit trail show.</summary>
    public required string Id { get; init; }
    /// <summary>Human-readable name.</summary>
    public required string DisplayName { get; set; }
    /// <summary>Kind of system.</summary>
    public CallerKind Kind { get; set; }
    /// <summary>Granted scopes, space-separated.</summary>
    public required string Scopes { get; set; }
    /// <summary>Regencies it may touch, space-separated kode wilayah, or "*" for every served regency.</summary>
    public required string Regencies { get; set; }
    /// <summary>For an office system: its office (OPD) code.</summary>
    public string? OfficeCode { get; set; }
    /// <summary>Calls per second allowed (token bucket; bursts up to twice as many).</summary>
    public int RateLimitPerSecond { get; set; }
    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// A bearer credential of a caller (table <c>caller_credentials</c>). Only the SHA-256 of the secret is stored;
/// the token is shown once, when issued.
/// </summary>
public sealed class CallerCredential
{
    /// <summary>Public part of the token, e.g. "k7Qd2mX9".</summary>
    public required string Id { get; init; }
    /// <summary>The caller it authenticates.</summary>
    public required string CallerId { get; init; }
    /// <summary>SHA-256 of the secret part.</summary>
    public required byte[] SecretHash { get; init; }
    /// <summary>When it was issued.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was revoked; null while valid.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}
