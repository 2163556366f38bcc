namespace EBakul.Hub.Domain.Merchants;

/// <summary>A point as a caller sent it: either coordinate may be missing until <see cref="MerchantRules"/> checked it.</summary>
/// <param name="Latitude">Degrees, -90..90.</param>
/// <param name="Longitude">Degrees, -180..180.</param>
public sealed record Coordinates(double? Latitude, double? Longitude);

/// <summary>
/// The fields a caller supplies for a merchant (registration, update, import row), exactly as sent:
/// nothing is trusted until <see cref="MerchantRules.CheckDraft"/> has passed.
/// </summary>
public sealed record MerchantDraft
{
    /// <summary>Business name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Owner's name.</summary>
    public string OwnerName { get; init; } = "";
    /// <summary>Owner's NIK. Personal data: never returned, never logged.</summary>
    public string OwnerNik { get; init; } = "";
    /// <summary>NIB; empty when the business has none.</summary>
    public string Nib { get; init; } = "";
    /// <summary>Category; 0 when not set, any number when the caller sent an unknown value.</summary>
    public MerchantCategory Category { get; init; }
    /// <summary>Scale; 0 when not set, any number when the caller sent an unknown value.</summary>
    public MerchantScale Scale { get; init; }
    /// <summary>Kecamatan code.</summary>
    public string KecamatanCode { get; init; } = "";
    /// <summary>Street address.</summary>
    public string Address { get; init; } = "";
    /// <summary>Location; null when not given.</summary>
    public Coordinates? Location { get; init; }
    /// <summary>QRIS NMID; empty when none.</summary>
    public string QrisNmid { get; init; } = "";

    /// <summary>
    /// The names of the draft's fields as the contract spells them (the paths an update mask may name).
    /// </summary>
    public static class Fields
    {
        /// <summary><c>name</c>.</summary>
        public const string Name = "name";
        /// <summary><c>owner_name</c>.</summary>
        public const string OwnerName = "owner_name";
        /// <summary><c>owner_nik</c>.</summary>
        public const string OwnerNik = "owner_nik";
        /// <summary><c>nib</c>.</summary>
        public const string Nib = "nib";
        /// <summary><c>category</c>.</summary>
        public const string Category = "category";
        /// <summary><c>scale</c>.</summary>
        public const string Scale = "scale";
        /// <summary><c>kecamatan_code</c>.</summary>
        public const string KecamatanCode = "kecamatan_code";
        /// <summary><c>address</c>.</summary>
        public const string Address = "address";
        /// <summary><c>location</c>.</summary>
        public const string Location = "location";
        /// <summary><c>qris_nmid</c>.</summary>
        public const string QrisNmid = "qris_nmid";

        /// <summary>Every field, in contract order.</summary>
        public static readonly IReadOnlyList<string> All =
            [Name, OwnerName, OwnerNik, Nib, Category, Scale, KecamatanCode, Address, Location, QrisNmid];
    }
}
