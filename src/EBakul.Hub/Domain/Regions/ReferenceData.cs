using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Regions;

/// <summary>
/// The reference data every hub starts with: Kabupaten Bojonegoro (35.22) and its 28 kecamatan, from
/// the embedded <c>bojonegoro-kecamatan.csv</c>. Seeding is idempotent.
/// </summary>
public static class ReferenceData
{
    /// <summary>Bojonegoro's kode wilayah.</summary>
    public const string BojonegoroCode = "35.22";

    /// <summary>Inserts what is missing.</summary>
    public static async Task SeedAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Regencies.AnyAsync(r => r.Code == BojonegoroCode, cancellationToken))
            db.Regencies.Add(new Regency { Code = BojonegoroCode, Name = "Kabupaten Bojonegoro" });

        var known = await db.Kecamatan.Where(k => k.RegencyCode == BojonegoroCode).Select(k => k.Code).ToListAsync(cancellationToken);
        foreach (var (code, name) in ReadKecamatanCsv())
        {
            if (!known.Contains(code))
                db.Kecamatan.Add(new Kecamatan { Code = code, Name = name, RegencyCode = BojonegoroCode });
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The rows of the embedded kecamatan list: (code, name).</summary>
    public static IEnumerable<(string Code, string Name)> ReadKecamatanCsv()
    {
        using var stream = typeof(ReferenceData).Assembly.GetManifestResourceStream("bojonegoro-kecamatan.csv")
            ?? throw new InvalidOperationException("embedded bojonegoro-kecamatan.csv is missing");
        using var reader = new StreamReader(stream);
        var rows = new List<(string, string)>();
        reader.ReadLine(); // header: code,name
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var comma = line.IndexOf(',');
            rows.Add((line[..comma].Trim(), line[(comma + 1)..].Trim()));
        }
        return rows;
    }
}
