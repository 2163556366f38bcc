using EBakul.Hub.Data;
using EBakul.Hub.Errors;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Quota;

/// <summary>Where a policy version stands relative to the current month. Numbers match <c>ebakul.quota.v1.QuotaPolicyState</c>.</summary>
public enum QuotaPolicyState
{
    /// <summary>Its effective month is still ahead.</summary>
    Scheduled = 1,
    /// <summary>It applies to the current month.</summary>
    InForce = 2,
    /// <summary>It applied to earlier months; a later version applies now.</summary>
    Ended = 3,
    /// <summary>Replaced before it took effect; it never applies.</summary>
    Replaced = 4,
}

/// <summary>
/// The versions of every regency's quota policy: which version is in force for a month, and how a new version is
/// added. A change is never retroactive: a new version's effective month must come after the current Asia/Jakarta
/// month (the month being evaluated keeps the rules it started with), except for a regency with no policy at all,
/// whose first version may start in any month. A new version for the same effective month as a version not yet in
/// force replaces it (it gets a higher version number; the replaced one is kept, marked, and never applies).
/// </summary>
public sealed class QuotaPolicies(HubDbContext db, TimeProvider clock)
{
    /// <summary>The current Asia/Jakarta month.</summary>
    public Period CurrentPeriod => Period.Containing(clock.GetUtcNow());

    /// <summary>
    /// Inside a write: stores <paramref name="policy"/> (validated content) as the regency's next version. Throws
    /// FAILED_PRECONDITION <c>POLICY_CHANGE_RETROACTIVE</c> when the regency has a policy and the effective month is not
    /// after the current month.
    /// </summary>
    public QuotaPolicy Add(WriteTransaction tx, QuotaPolicy policy)
    {
        var versions = tx.Db.QuotaPolicies.Where(p => p.RegencyCode == policy.RegencyCode).ToList();
        var current = CurrentPeriod;
        if (versions.Count > 0 && policy.EffectivePeriod <= current)
        {
            throw HubException.FailedPrecondition("POLICY_CHANGE_RETROACTIVE",
                $"regency {policy.RegencyCode} already has a quota policy; a new version applies only from a month after the current one " +
                $"({current}), never retroactively: {policy.EffectivePeriod} is too early, the earliest is {current.Next}");
        }
        policy.Version = versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1;
        foreach (var pending in versions.Where(v => v.EffectivePeriodKey == policy.EffectivePeriodKey && v.ReplacedByVersion is null))
            pending.ReplacedByVersion = policy.Version;
        tx.Db.QuotaPolicies.Add(policy);
        tx.Db.SaveChanges();
        // A regency's first version may cover months with purchases already recorded: what counts there changes.
        if (versions.Count == 0) Reports.ReportAggregates.MarkForRebuild(tx, policy.RegencyCode, clock.GetUtcNow());
        return policy;
    }

    /// <summary>
    /// Where a version just added stands: a later version is always scheduled; only a regency's first version can start
    /// in the current month or before, and then it is in force.
    /// </summary>
    public QuotaPolicyState StateOfAdded(QuotaPolicy added) =>
        added.EffectivePeriod > CurrentPeriod ? QuotaPolicyState.Scheduled : QuotaPolicyState.InForce;

    /// <summary>The version in force for a month, or null before the regency's first policy.</summary>
    public Task<QuotaPolicy?> InForceAsync(string regencyCode, Period period, CancellationToken cancellationToken) =>
        db.QuotaPolicies.AsNoTracking()
            .Where(p => p.RegencyCode == regencyCode && p.EffectivePeriodKey <= period.Key && p.ReplacedByVersion == null)
            .OrderByDescending(p => p.EffectivePeriodKey)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The version in force for a month; NOT_FOUND <c>QUOTA_POLICY_NOT_FOUND</c> before the regency's first policy.</summary>
    public async Task<QuotaPolicy> RequireInForceAsync(string regencyCode, Period period, CancellationToken cancellationToken) =>
        await InForceAsync(regencyCode, period, cancellationToken)
        ?? throw HubException.NotFound("QUOTA_POLICY_NOT_FOUND", $"regency {regencyCode} has no quota policy in force for {period}");

    /// <summary>Versions after <paramref name="afterVersion"/> by version number, at most <paramref name="limit"/>.</summary>
    public Task<List<QuotaPolicy>> ListAsync(string regencyCode, int afterVersion, int limit, CancellationToken cancellationToken) =>
        db.QuotaPolicies.AsNoTracking()
            .Where(p => p.RegencyCode == regencyCode && p.Version > afterVersion)
            .OrderBy(p => p.Version)
            .Take(limit)
            .ToListAsync(cancellationToken);

    /// <summary>A function telling where each version of the regency stands now.</summary>
    public async Task<Func<QuotaPolicy, QuotaPolicyState>> StatesAsync(string regencyCode, CancellationToken cancellationToken)
    {
        var current = CurrentPeriod;
        var inForce = (await InForceAsync(regencyCode, current, cancellationToken))?.Version;
        return policy =>
            policy.ReplacedByVersion is not null ? QuotaPolicyState.Replaced
            : policy.EffectivePeriod > current ? QuotaPolicyState.Scheduled
            : policy.Version == inForce ? QuotaPolicyState.InForce
            : QuotaPolicyState.Ended;
    }
}
