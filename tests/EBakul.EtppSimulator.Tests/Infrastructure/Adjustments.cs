using EBakul.Hub.Domain;
using EBakul.Hub.EtppPush;

namespace EBakul.EtppSimulator.Tests.Infrastructure;

/// <summary>Well-formed adjustments for tests.</summary>
public static class Adjustments
{
    /// <summary>September 2025.</summary>
    public static readonly Period September = new(2025, 9);

    private static int _serial;

    /// <summary>A NIP no other test uses: born 15 March 1985, appointed January 2010, male, a serial number.</summary>
    public static string NewNip() => $"198503152010011{Interlocked.Increment(ref _serial) % 1000:D3}";

    /// <summary>Revision 1 of an employee's September adjustment: Rp300,000 required, Rp120,000 counted.</summary>
    public static EtppAdjustment For(string nip, long counted = 120_000) => Revision(nip, 1, counted);

    /// <summary>A given revision of an employee's September adjustment (revision n supersedes n − 1).</summary>
    public static EtppAdjustment Revision(string nip, int revision, long counted = 120_000)
    {
        const long required = 300_000;
        var shortfall = Math.Max(0, required - counted);
        return new EtppAdjustment(
            EtppAdjustment.KeyOf("35.22", nip, September, revision), "35.22", nip, "4.01.01", September.ToString(), revision,
            PolicyVersion: 3, RequiredRupiah: required, CountedRupiah: counted, ShortfallRupiah: shortfall,
            EtppSanction.DeductShortfall, TppCorrectionRupiah: shortfall,
            SupersedesKey: revision == 1 ? null : EtppAdjustment.KeyOf("35.22", nip, September, revision - 1),
            TppCeilingRupiah: 3_000_000);
    }
}
