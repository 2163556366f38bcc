using System.Collections.Frozen;
using EBakul.Hub.Data;
using EBakul.Hub.Errors;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Regions;

/// <summary>
/// The regencies and kecamatan the hub serves, held in memory (they change only with reference data)
/// so that every request can check its regency and kecamatan without a query.
/// </summary>
public sealed class RegencyDirectory
{
    private volatile Snapshot _snapshot = new(FrozenDictionary<string, Regency>.Empty, FrozenDictionary<string, IReadOnlyList<Kecamatan>>.Empty);

    /// <summary>Every regency, by code.</summary>
    public IReadOnlyDictionary<string, Regency> Regencies => _snapshot.Regencies;

    /// <summary>The kecamatan of a regency, ordered by code (empty for an unknown regency).</summary>
    public IReadOnlyList<Kecamatan> KecamatanOf(string regencyCode) =>
        _snapshot.KecamatanByRegency.TryGetValue(regencyCode, out var list) ? list : [];

    /// <summary>Whether <paramref name="kecamatanCode"/> is a kecamatan of <paramref name="regencyCode"/>.</summary>
    public bool IsKecamatanOf(string regencyCode, string kecamatanCode) =>
        KecamatanOf(regencyCode).Any(k => k.Code == kecamatanCode);

    /// <summary>
    /// Checks the <c>regency_code</c> of a request: a violation when empty, NOT_FOUND when the hub does not
    /// serve it. Call after the field checks of the request have been thrown.
    /// </summary>
    public void RequireServed(string regencyCode)
    {
        if (!_snapshot.Regencies.ContainsKey(regencyCode))
            throw HubException.NotFound("REGENCY_NOT_FOUND", $"regency '{regencyCode}' is not served by this hub");
    }

    /// <summary>Adds a violation when the regency code is empty.</summary>
    public static void CheckCode(string regencyCode, FieldChecks checks) =>
        checks.RequireText(regencyCode, "regency_code", 20);

    /// <summary>Reloads from the database.</summary>
    public async Task LoadAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        var regencies = await db.Regencies.AsNoTracking().ToListAsync(cancellationToken);
        var kecamatan = await db.Kecamatan.AsNoTracking().OrderBy(k => k.Code).ToListAsync(cancellationToken);
        _snapshot = new Snapshot(
            regencies.ToFrozenDictionary(r => r.Code),
            kecamatan.GroupBy(k => k.RegencyCode).ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<Kecamatan>)g.ToList()));
    }

    private sealed record Snapshot(
        IReadOnlyDictionary<string, Regency> Regencies,
        IReadOnlyDictionary<string, IReadOnlyList<Kecamatan>> KecamatanByRegency);
}
