using EBakul.Hub.Data;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.DemoData;

/// <summary>A regency the demo data fills: its kode wilayah, name and place in <see cref="DemoRegencies.JawaTimur"/>.</summary>
public sealed record DemoRegency(int Ordinal, string Code, string Name);

/// <summary>
/// The regencies a demo of <see cref="DemoDataOptions.Regencies"/> regencies fills: Bojonegoro first, then the other
/// regencies and cities of Jawa Timur in kode wilayah order (38 in all). Each is shaped like Bojonegoro (its 28 kecamatan
/// with their names and weights, under the regency's own codes, and its offices), with rows of its own (another seed, its
/// own NIKs, NIPs, NIBs and QRIS ids). The other regencies are added to the served regencies with Bojonegoro's default
/// quota policy when the demo is enabled.
/// </summary>
public static class DemoRegencies
{
    /// <summary>The regencies (kabupaten) and cities (kota) of Jawa Timur, Bojonegoro first.</summary>
    public static readonly IReadOnlyList<DemoRegency> JawaTimur = new (string Code, string Name)[]
    {
        (ReferenceData.BojonegoroCode, "Kabupaten Bojonegoro"),
        ("35.01", "Kabupaten Pacitan"), ("35.02", "Kabupaten Ponorogo"), ("35.03", "Kabupaten Trenggalek"),
        ("35.04", "Kabupaten Tulungagung"), ("35.05", "Kabupaten Blitar"), ("35.06", "Kabupaten Kediri"),
        ("35.07", "Kabupaten Malang"), ("35.08", "Kabupaten Lumajang"), ("35.09", "Kabupaten Jember"),
        ("35.10", "Kabupaten Banyuwangi"), ("35.11", "Kabupaten Bondowoso"), ("35.12", "Kabupaten Situbondo"),
        ("35.13", "Kabupaten Probolinggo"), ("35.14", "Kabupaten Pasuruan"), ("35.15", "Kabupaten Sidoarjo"),
        ("35.16", "Kabupaten Mojokerto"), ("35.17", "Kabupaten Jombang"), ("35.18", "Kabupaten Nganjuk"),
        ("35.19", "Kabupaten Madiun"), ("35.20", "Kabupaten Magetan"), ("35.21", "Kabupaten Ngawi"),
        ("35.23", "Kabupaten Tuban"), ("35.24", "Kabupaten Lamongan"), ("35.25", "Kabupaten Gresik"),
        ("35.26", "Kabupaten Bangkalan"), ("35.27", "Kabupaten Sampang"), ("35.28", "Kabupaten Pamekasan"),
        ("35.29", "Kabupaten Sumenep"), ("35.71", "Kota Kediri"), ("35.72", "Kota Blitar"), ("35.73", "Kota Malang"),
        ("35.74", "Kota Probolinggo"), ("35.75", "Kota Pasuruan"), ("35.76", "Kota Mojokerto"), ("35.77", "Kota Madiun"),
        ("35.78", "Kota Surabaya"), ("35.79", "Kota Batu"),
    }.Select((r, i) => new DemoRegency(i, r.Code, r.Name)).ToArray();

    /// <summary>The regencies a demo of <paramref name="options"/> fills, in order.</summary>
    public static IReadOnlyList<DemoRegency> Of(DemoDataOptions options)
    {
        if (options.Regencies < 1 || options.Regencies > JawaTimur.Count)
            throw new ArgumentException($"DemoData:Regencies must be 1 to {JawaTimur.Count} (the regencies of Jawa Timur), not {options.Regencies}", nameof(options));
        return [.. JawaTimur.Take(options.Regencies)];
    }

    /// <summary>The kecamatan of <paramref name="regency"/>: Bojonegoro's, under the regency's code.</summary>
    public static IReadOnlyList<(string Code, string Name)> KecamatanOf(DemoRegency regency) =>
        [.. ReferenceData.ReadKecamatanCsv().Select(k => ($"{regency.Code}.{k.Code[^2..]}", k.Name))];

    /// <summary>The demo's regencies besides Bojonegoro, as served regencies (with their kecamatan).</summary>
    public static IEnumerable<ServedRegency> Served(DemoDataOptions options) => Of(options).Skip(1).Select(r => new ServedRegency
    {
        Code = r.Code,
        Name = r.Name,
        Kecamatan = [.. KecamatanOf(r).Select(k => new ServedKecamatan { Code = k.Code, Name = k.Name })],
    });

    /// <summary>Gives each of the demo's regencies besides Bojonegoro Bojonegoro's default quota policy, when it has none (idempotent).</summary>
    public static async Task SeedQuotaPoliciesAsync(HubDbContext db, DemoDataOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var codes = Of(options).Skip(1).Select(r => r.Code).ToList();
        if (codes.Count == 0) return;
        var have = await db.QuotaPolicies.Where(p => codes.Contains(p.RegencyCode)).Select(p => p.RegencyCode).Distinct().ToListAsync(cancellationToken);
        foreach (var code in codes.Except(have))
        {
            db.QuotaPolicies.Add(CopyFor(BojonegoroQuotaPolicy.Default(clock.GetUtcNow()), code));
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static QuotaPolicy CopyFor(QuotaPolicy p, string regencyCode) => new()
    {
        RegencyCode = regencyCode,
        Version = p.Version,
        EffectivePeriodKey = p.EffectivePeriodKey,
        RequiredAmountForm = p.RequiredAmountForm,
        TppBasisPoints = p.TppBasisPoints,
        TppFloorRupiah = p.TppFloorRupiah,
        TppCapRupiah = p.TppCapRupiah,
        KelasJabatanAmounts = [.. p.KelasJabatanAmounts],
        EchelonAmounts = [.. p.EchelonAmounts],
        CountedCategories = [.. p.CountedCategories],
        CountedScales = [.. p.CountedScales],
        MerchantCapBasisPoints = p.MerchantCapBasisPoints,
        ProrationEnabled = p.ProrationEnabled,
        ExemptEmploymentTypes = [.. p.ExemptEmploymentTypes],
        SanctionKind = p.SanctionKind,
        SanctionBasisPoints = p.SanctionBasisPoints,
        Description = p.Description,
        CreatedAt = p.CreatedAt,
        CreatedBy = p.CreatedBy,
    };
}
