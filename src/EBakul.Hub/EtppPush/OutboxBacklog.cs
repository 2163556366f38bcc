using EBakul.Hub.Data;
using EBakul.Hub.Domain.Payroll;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// How many adjustments wait to reach e-TPP (pending or being pushed) and how old the oldest is, read from
/// <c>adjustment_deliveries</c>. Feeds the metrics <c>ebakul.outbox.backlog</c> and <c>ebakul.outbox.oldest_age</c> and
/// the readiness check. A reading is kept for a few seconds, so scrapes and probes do not each query the database.
/// </summary>
public sealed class OutboxBacklog(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan ReadingLifetime = TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private (DateTimeOffset At, Reading Value)? _last;

    /// <summary>One reading.</summary>
    /// <param name="Undelivered">Adjustments pending or being pushed.</param>
    /// <param name="OldestAge">Age of the oldest of them (zero when there are none).</param>
    public readonly record struct Reading(long Undelivered, TimeSpan OldestAge);

    /// <summary>The latest reading, at most a few seconds old.</summary>
    public Reading Read()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_last is { } last && now - last.At < ReadingLifetime) return last.Value;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var waiting = db.AdjustmentDeliveries
                .Where(d => d.State == DeliveryState.Pending || d.State == DeliveryState.Delivering)
                .Join(db.PayrollAdjustments, d => d.AdjustmentId, a => a.Id, (d, a) => a.CreatedAt);
            var count = waiting.LongCount();
            var oldest = count == 0 ? now : waiting.Min();
            var reading = new Reading(count, count == 0 ? TimeSpan.Zero : now - oldest);
            _last = (now, reading);
            return reading;
        }
    }
}
