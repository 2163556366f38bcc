using System.Diagnostics;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// A clock the test sets: the hub reads "now" from it. It stands still until <see cref="StartFlowing"/>; from then on
/// it also moves at the pace of real time (for code that waits on leases, delays and circuit breakers), and
/// <see cref="Set"/> and <see cref="Advance"/> still jump it. Timers are the system's, so they run in real time either way.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;
    private long? _flowingSince;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return (_flowingSince is { } since ? _now + Stopwatch.GetElapsedTime(since) : _now).ToUniversalTime();
    }

    /// <summary>Sets the time.</summary>
    public void Set(DateTimeOffset now)
    {
        lock (_gate)
        {
            _now = now;
            if (_flowingSince is not null) _flowingSince = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Moves the time forward.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }

    /// <summary>From now on the clock moves with real time too (no-op when it already does).</summary>
    public void StartFlowing()
    {
        lock (_gate) _flowingSince ??= Stopwatch.GetTimestamp();
    }
}
