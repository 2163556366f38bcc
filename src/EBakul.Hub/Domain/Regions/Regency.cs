namespace EBakul.Hub.Domain.Regions;

/// <summary>A regency served by the hub (table <c>regencies</c>): the tenant of every other resource.</summary>
public sealed class Regency
{
    /// <summary>Kode wilayah, e.g. "35.22".</summary>
    public required string Code { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; set; }
}

/// <summary>A kecamatan of a regency (table <c>kecamatan</c>).</summary>
public sealed class Kecamatan
{
    /// <summary>Kode wilayah, e.g. "35.22.15".</summary>
    public required string Code { get; init; }
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; set; }
}
