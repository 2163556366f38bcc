namespace EBakul.Hub.Domain.Regions;

/// <summary>
/// Regencies served besides Bojonegoro (configuration section <c>ServedRegencies</c>), for a hub that serves
/// several regencies of a province, e.g.
/// <c>ServedRegencies:0:Code=35.23</c>, <c>ServedRegencies:0:Name=Kabupaten Tuban</c>,
/// <c>ServedRegencies:0:Kecamatan:0:Code=35.23.01</c>, <c>ServedRegencies:0:Kecamatan:0:Name=Kenduruan</c>.
/// They are added at start (never removed).
/// </summary>
public sealed class ServedRegency
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "ServedRegencies";

    /// <summary>Kode wilayah, e.g. "35.23".</summary>
    public string Code { get; set; } = "";

    /// <summary>Name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its kecamatan.</summary>
    public List<ServedKecamatan> Kecamatan { get; set; } = [];
}

/// <summary>A kecamatan of a <see cref="ServedRegency"/>.</summary>
public sealed class ServedKecamatan
{
    /// <summary>Kode wilayah, e.g. "35.23.01".</summary>
    public string Code { get; set; } = "";

    /// <summary>Name.</summary>
    public string Name { get; set; } = "";
}
