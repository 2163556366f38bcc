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

    /// <summary>Inserts what is missing: Bojonegoro and the configured <paramref name="served"/> regencies.</summary>
    public static async Task SeedAsync(HubDbContext db, IEnumerable<ServedRegency> served, CancellationToken cancellationToken)
    {
        var regencies = new List<ServedRegency>
        {
            new()
            {
                Code = BojonegoroCode,
                Name = "Kabupaten Bojonegoro",
                Kecamatan = ReadKecamatanCsv().Select(k => new ServedKecamatan { Code = k.Code, Name = k.Name }).ToList(),
            },
        };
        regencies.AddRange(served);

        var knownRegencies = await db.Regencies.Select(r => r.Code).ToHashSetAsync(cancellationToken);
        var knownKecamatan = await db.Kecamatan.Select(k => k.Code).ToHashSetAsync(cancellationToken);
        foreach (var regency in regencies)
        {
            if (knownRegencies.Add(regency.Code))
                db.Regencies.Add(new Regency { Code = regency.Code, Name = regency.Name });
            foreach (var kecamatan in regency.Kecamatan.Where(k => knownKecamatan.Add(k.Code)))
                db.Kecamatan.Add(new Kecamatan { Code = kecamatan.Code, Name = kecamatan.Name, RegencyCode = regency.Code });
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
