namespace EBakul.Hub.DemoData;

/// <summary>
/// The demo data's random source: SplitMix64, small and fast, and the same on every platform and .NET
/// version (unlike a seeded <see cref="Random"/>, whose algorithm is not a contract). Every row is drawn
/// from its own stream, derived from the seed, the kind of row and the row's position, so one row can be
/// reproduced without drawing all the rows before it.
/// </summary>
public struct DemoRandom
{
    private ulong _state;

    /// <summary>A generator starting at <paramref name="state"/>.</summary>
    public DemoRandom(ulong state) => _state = state;

    /// <summary>The stream of row <paramref name="index"/> of kind <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static DemoRandom For(int seed, int stream, long index) =>
        new(Mix(Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)stream) ^ (ulong)index));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>An integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>An integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>A long in [0, <paramref name="maxExclusive"/>).</summary>
    public long NextInt64(long maxExclusive) => (long)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A standard normal value (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>One element of <paramref name="items"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A fixed set of choices with relative weights, drawn in O(log n).</summary>
public sealed class WeightedChoice<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    /// <summary>The choices and their relative weights (any positive scale).</summary>
    public WeightedChoice(IEnumerable<(T Item, double Weight)> choices)
    {
        var list = choices.ToList();
        if (list.Count == 0) throw new ArgumentException("at least one choice is needed", nameof(choices));
        _items = list.Select(c => c.Item).ToArray();
        _cumulative = new double[list.Count];
        var total = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Weight < 0) throw new ArgumentException("weights must not be negative", nameof(choices));
            total += list[i].Weight;
            _cumulative[i] = total;
        }
        for (var i = 0; i < _cumulative.Length; i++) _cumulative[i] /= total;
    }

    /// <summary>The choices, in the order given.</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>Draws one choice.</summary>
    public T Next(ref DemoRandom random)
    {
        var u = random.NextDouble();
        var index = Array.BinarySearch(_cumulative, u);
        if (index < 0) index = ~index;
        return _items[Math.Min(index, _items.Length - 1)];
    }
}
