using System.Collections.Concurrent;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;

namespace EBakul.Hub.Domain.Quota;

/// <summary>Whether a recorded purchase can count toward its month's quota, by the month's policy. Numbers match <c>ebakul.ledger.v1.QuotaEligibility</c>.</summary>
public enum PurchaseEligibility
{
    /// <summary>Its merchant's category and scale count (up to the per-merchant cap).</summary>
    Counts = 1,
    /// <summary>The policy does not count the merchant's category: recorded, counts nothing.</summary>
    CategoryExcluded = 2,
    /// <summary>The policy does not count the merchant's scale: recorded, counts nothing.</summary>
    ScaleExcluded = 3,
    /// <summary>The regency has no policy for the month yet: nothing can be said.</summary>
    NoPolicy = 4,
}

/// <summary>
/// The policy version in force for a regency's month, read inside the writer and kept: policies are never retroactive
/// (a new version applies only from a month after the current one), so the version of a month that has begun never
/// changes, and a purchase never lies in a month that has not begun. Only found versions are kept (a regency's first
/// version may still be set for any month).
/// </summary>
public sealed class PolicyOfMonth(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Regency, int PeriodKey), QuotaPolicy> _versions = new();

    /// <summary>What the month's policy says of a purchase at a merchant of this category and scale.</summary>
    public PurchaseEligibility Eligibility(WriteTransaction tx, string regencyCode, Period period, MerchantCategory category, MerchantScale scale)
    {
        var policy = InForce(tx, regencyCode, period);
        return policy is null ? PurchaseEligibility.NoPolicy
            : !policy.CountedCategories.Contains(category) ? PurchaseEligibility.CategoryExcluded
            : !policy.CountedScales.Contains(scale) ? PurchaseEligibility.ScaleExcluded
            : PurchaseEligibility.Counts;
    }

    private QuotaPolicy? InForce(WriteTransaction tx, string regencyCode, Period period)
    {
        if (_versions.TryGetValue((regencyCode, period.Key), out var kept)) return kept;
        var policy = tx.Db.QuotaPolicies
            .Where(p => p.RegencyCode == regencyCode && p.EffectivePeriodKey <= period.Key && p.ReplacedByVersion == null)
            .OrderByDescending(p => p.EffectivePeriodKey)
            .FirstOrDefault();
        if (policy is not null && period <= Period.Containing(clock.GetUtcNow())) _versions[(regencyCode, period.Key)] = policy;
        return policy;
    }
}
