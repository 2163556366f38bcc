namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// An explicit exemption of one employee from the quota for one month (table <c>quota_exemptions</c>), granted with a
/// reason (e.g. study leave decided by the BKD) and possibly revoked later, also with a reason. Rows are kept after
/// revocation as the record of who decided what; at most one unrevoked row exists per employee and month.
/// </summary>
public sealed class QuotaExemption
{
    /// <summary>Row number, also the exemption's identifier.</summary>
    public long Id { get; init; }
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary><see cref="Period.Key"/> of the month exempted.</summary>
    public int PeriodKey { get; init; }
    /// <summary>Why it was granted.</summary>
    public required string Reason { get; init; }
    /// <summary>When it was granted.</summary>
    public DateTimeOffset GrantedAt { get; init; }
    /// <summary>The calling system that granted it.</summary>
    public required string GrantedBy { get; init; }
    /// <summary>When it was revoked; null while it stands.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The calling system that revoked it.</summary>
    public string? RevokedBy { get; set; }
    /// <summary>Why it was revoked.</summary>
    public string? RevokeReason { get; set; }
}
