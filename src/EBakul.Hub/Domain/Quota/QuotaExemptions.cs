using EBakul.Hub.Data;
using EBakul.Hub.Errors;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// Explicit per-employee, per-month exemptions: granted and revoked inside the <see cref="DatabaseWriter"/> (so the
/// "one standing exemption per employee and month" rule cannot race), read for lists.
/// </summary>
public sealed class QuotaExemptions(HubDbContext db, TimeProvider clock)
{
    /// <summary>Longest reason accepted.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>
    /// Inside a write: exempts an employee of the regency for a month. NOT_FOUND <c>EMPLOYEE_NOT_FOUND</c> when the NIP is
    /// not on the regency's roster; ALREADY_EXISTS <c>EXEMPTION_ALREADY_GRANTED</c> when a standing exemption exists.
    /// </summary>
    public QuotaExemption Grant(WriteTransaction tx, string regencyCode, string nip, Period period, string reason, string grantedBy)
    {
        if (!tx.Db.Employees.Any(e => e.Nip == nip && e.RegencyCode == regencyCode))
            throw HubException.NotFound("EMPLOYEE_NOT_FOUND", $"NIP {nip} is not on the roster of regency {regencyCode}");
        var standing = Standing(tx.Db, regencyCode, nip, period);
        if (standing is not null)
            throw HubException.AlreadyExists("EXEMPTION_ALREADY_GRANTED",
                $"NIP {nip} is already exempted for {period} (exemption {standing.Id}: {standing.Reason}); revoke it first to change it");
        var exemption = new QuotaExemption
        {
            RegencyCode = regencyCode,
            Nip = nip,
            PeriodKey = period.Key,
            Reason = reason,
            GrantedAt = clock.GetUtcNow(),
            GrantedBy = grantedBy,
        };
        tx.Db.QuotaExemptions.Add(exemption);
        tx.Db.SaveChanges();
        return exemption;
    }

    /// <summary>Inside a write: revokes the standing exemption of an employee for a month; NOT_FOUND <c>EXEMPTION_NOT_FOUND</c> when there is none.</summary>
    public QuotaExemption Revoke(WriteTransaction tx, string regencyCode, string nip, Period period, string reason, string revokedBy)
    {
        var standing = Standing(tx.Db, regencyCode, nip, period)
            ?? throw HubException.NotFound("EXEMPTION_NOT_FOUND", $"NIP {nip} has no standing exemption for {period} in regency {regencyCode}");
        standing.RevokedAt = clock.GetUtcNow();
        standing.RevokedBy = revokedBy;
        standing.RevokeReason = reason;
        tx.Db.SaveChanges();
        return standing;
    }

    /// <summary>Exemptions of a month after <paramref name="afterId"/> in grant order, revoked ones included.</summary>
    public Task<List<QuotaExemption>> ListAsync(string regencyCode, Period period, long afterId, int limit, CancellationToken cancellationToken) =>
        db.QuotaExemptions.AsNoTracking()
            .Where(x => x.RegencyCode == regencyCode && x.PeriodKey == period.Key && x.Id > afterId)
            .OrderBy(x => x.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);

    private static QuotaExemption? Standing(HubDbContext db, string regencyCode, string nip, Period period) =>
        db.QuotaExemptions.FirstOrDefault(x => x.RegencyCode == regencyCode && x.Nip == nip && x.PeriodKey == period.Key && x.RevokedAt == null);
}
