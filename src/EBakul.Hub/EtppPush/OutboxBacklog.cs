using System.Diagnostics;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Payroll;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// How many adjustments wait to reach e-TPP (pending or being pushed, or waiting to be pulled), how old the oldest is and
/// how many are parked, read from <c>adjustment_deliveries</c>. Feeds the metrics <c>ebakul.outbox.*</c> and the
/// readiness check. A reading is kept for a few seconds, so scrapes and probes do not each query the database.
/// </summary>
public sealed class OutboxBacklog(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan ReadingLifetime = TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private (long At, Reading Value)? _last;

    /// <summary>One reading.</summary>
    /// <param name="Undelivered">Adjustments pending or being pushed.</param>
    /// <param name="OldestAge">Age of the oldest of them by the hub's clock (zero when there are none).</param>
    /// <param name="Parked">Adjustments e-TPP refused for good.</param>
    public readonly record struct Reading(long Undelivered, TimeSpan OldestAge, long Parked);

    /// <summary>The latest reading, at most a few seconds old.</summary>
    public Reading Read()
    {
        lock (_lock)
        {
            if (_last is { } last && Stopwatch.GetElapsedTime(last.At) < ReadingLifetime) return last.Value;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var waiting = db.AdjustmentDeliveries.AsNoTracking()
                .Where(d => d.State == DeliveryState.Pending || d.State == DeliveryState.Delivering)
                .Join(db.PayrollAdjustments, d => d.AdjustmentId, a => a.Id, (d, a) => a.CreatedAt);
            var count = waiting.LongCount();
            var now = clock.GetUtcNow();
            var oldest = count == 0 ? now : waiting.Min();
            var parked = db.AdjustmentDeliveries.LongCount(d => d.State == DeliveryState.Parked);
            var reading = new Reading(count, count == 0 || oldest > now ? TimeSpan.Zero : now - oldest, parked);
            _last = (Stopwatch.GetTimestamp(), reading);
            return reading;
        }
    }
}
