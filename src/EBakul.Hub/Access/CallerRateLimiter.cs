using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Access;

/// <summary>
/// A token bucket per caller: <c>RateLimitPerSecond</c> tokens a second, bursts up to twice that. An exhausted
/// bucket is answered with RESOURCE_EXHAUSTED (not ASP.NET's 503, which gRPC clients read as UNAVAILABLE and
/// retry straight into).
/// </summary>
public sealed class CallerRateLimiter(IOptions<AccessOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one token for the caller; false when its bucket is empty.</summary>
    public bool TryAcquire(CallerIdentity caller, int ratePerSecond)
    {
        var rate = ratePerSecond > 0 ? ratePerSecond : options.Value.DefaultRateLimitPerSecond;
        var bucket = _buckets.GetOrAdd($"{caller.Id}/{rate}", _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = rate * 2,
            TokensPerPeriod = Math.Max(1, rate / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var bucket in _buckets.Values) bucket.Dispose();
    }
}
