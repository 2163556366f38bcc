using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EBakul.Hub.EtppPush;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// Sums the push adapter's counters (meter <see cref="PushPipeline.MeterName"/>) while it lives. The meter is shared by
/// every hub in the test process, so the push tests run one at a time (<see cref="PushTestCollection"/>).
/// </summary>
public sealed class PushMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    /// <summary>Starts listening.</summary>
    public PushMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PushPipeline.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        _listener.Start();
    }

    /// <summary>The sum of a counter so far, e.g. <c>ebakul.etpp.push.breaker_opened</c>.</summary>
    public long this[string counter] => _sums.GetValueOrDefault(counter);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}

/// <summary>The push tests: one at a time, because they share the push meters and lean on real time.</summary>
[CollectionDefinition(Name)]
public sealed class PushTestCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "e-TPP push";
}
