using System.Collections;

namespace EBakul.Hub.Tests.Telemetry;

/// <summary>
/// What an in-memory exporter captures, safe to read while it still exports: the activity source and meters are the
/// process's, so spans and metrics of other tests' hubs keep arriving while a test reads its own.
/// </summary>
public sealed class Captured<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    /// <summary>A copy of everything captured so far.</summary>
    public List<T> Snapshot()
    {
        lock (_items) return [.. _items];
    }

    /// <inheritdoc />
    public void Add(T item)
    {
        lock (_items) _items.Add(item);
    }

    /// <inheritdoc />
    public void Clear()
    {
        lock (_items) _items.Clear();
    }

    /// <inheritdoc />
    public bool Contains(T item)
    {
        lock (_items) return _items.Contains(item);
    }

    /// <inheritdoc />
    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items) _items.CopyTo(array, arrayIndex);
    }

    /// <inheritdoc />
    public bool Remove(T item)
    {
        lock (_items) return _items.Remove(item);
    }

    /// <inheritdoc />
    public int Count
    {
        get { lock (_items) return _items.Count; }
    }

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
