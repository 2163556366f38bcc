using System.Security.Cryptography;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>
/// Makes merchant ids: UUID version 7 (RFC 9562) written as 32 lowercase hex characters, strictly increasing
/// within the hub. The first 48 bits are the Unix time in milliseconds; the remaining 74 random bits are
/// seeded at random for each new millisecond and incremented for every further id in the same millisecond
/// (RFC 9562, method 3). So ids sort in registration order, which is what keyset paging on the id relies on,
/// and the rows of one import chunk keep the order in which they were sent.
/// </summary>
public sealed class MerchantIds
{
    private const int CounterBits = 74;
    private static readonly UInt128 CounterMask = (UInt128.One << CounterBits) - 1;
    private static readonly UInt128 SeedMask = (UInt128.One << (CounterBits - 2)) - 1; // leaves room to count up

    private readonly Lock _lock = new();
    private long _lastMilliseconds = -1;
    private UInt128 _counter;

    /// <summary>A new id for something registered at <paramref name="now"/>.</summary>
    public string Next(DateTimeOffset now)
    {
        long milliseconds;
        UInt128 counter;
        lock (_lock)
        {
            var requested = now.ToUnixTimeMilliseconds();
            if (requested > _lastMilliseconds)
            {
                _lastMilliseconds = requested;
                _counter = RandomSeed();
            }
            else if (++_counter > CounterMask)
            {
                _lastMilliseconds++;
                _counter = RandomSeed();
            }
            milliseconds = _lastMilliseconds;
            counter = _counter;
        }
        var high = ((ulong)milliseconds << 16) | 0x7000UL | (ulong)(counter >> 62);
        var low = 0x8000_0000_0000_0000UL | (ulong)(counter & ((UInt128.One << 62) - 1));
        return string.Create(32, (high, low), static (span, value) =>
        {
            value.high.TryFormat(span[..16], out _, "x16");
            value.low.TryFormat(span[16..], out _, "x16");
        });
    }

    private static UInt128 RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new UInt128(BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..])) & SeedMask;
    }
}
