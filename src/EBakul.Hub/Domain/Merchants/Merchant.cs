namespace EBakul.Hub.Domain.Merchants;

/// <summary>What a merchant sells. Numbers match <c>ebakul.merchants.v1.MerchantCategory</c>.</summary>
public enum MerchantCategory
{
    /// <summary>Makanan dan minuman.</summary>
    FoodAndDrink = 1,
    /// <summary>Jasa.</summary>
    Services = 2,
    /// <summary>Kebutuhan sehari-hari.</summary>
    DailyNeeds = 3,
    /// <summary>Produk IKM.</summary>
    IkmProduct = 4,
    /// <summary>Kerajinan.</summary>
    Craft = 5,
    /// <summary>Modern retail: excluded from the program.</summary>
    ModernRetail = 6,
    /// <summary>Franchise: excluded from the program.</summary>
    Franchise = 7,
}

/// <summary>Business scale. Numbers match <c>ebakul.merchants.v1.MerchantScale</c>.</summary>
public enum MerchantScale
{
    /// <summary>Ultra mikro.</summary>
    UltraMicro = 1,
    /// <summary>Mikro.</summary>
    Micro = 2,
    /// <summary>Kecil.</summary>
    Small = 3,
    /// <summary>Menengah.</summary>
    Medium = 4,
}

/// <summary>Merchant lifecycle. Numbers match <c>ebakul.merchants.v1.MerchantStatus</c>.</summary>
public enum MerchantStatus
{
    /// <summary>Registered, not yet verified.</summary>
    PendingVerification = 1,
    /// <summary>Verified; purchases count.</summary>
    Active = 2,
    /// <summary>Suspended; purchases are refused.</summary>
    Suspended = 3,
}

/// <summary>A local business registered in a regency (table <c>merchants</c>).</summary>
public sealed class Merchant
{
    /// <summary>Hub-assigned identifier (time-ordered GUID, 32 hex characters).</summary>
    public required string Id { get; init; }
    /// <summary>Kode wilayah of the owning regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Business name.</summary>
    public required string Name { get; set; }
    /// <summary>Owner's name.</summary>
    public required string OwnerName { get; set; }
    /// <summary>Owner's NIK (16 digits). Personal data: never listed, never logged.</summary>
    public required string OwnerNik { get; set; }
    /// <summary>NIB (13 digits), unique per regency; null when the business has none.</summary>
    public string? Nib { get; set; }
    /// <summary>What it sells.</summary>
    public MerchantCategory Category { get; set; }
    /// <summary>Business scale.</summary>
    public MerchantScale Scale { get; set; }
    /// <summary>Kecamatan code inside the regency.</summary>
    public required string KecamatanCode { get; set; }
    /// <summary>Street address.</summary>
    public required string Address { get; set; }
    /// <summary>Latitude in degrees, when known.</summary>
    public double? Latitude { get; set; }
    /// <summary>Longitude in degrees, when known.</summary>
    public double? Longitude { get; set; }
    /// <summary>QRIS NMID, unique; null when none.</summary>
    public string? QrisNmid { get; set; }
    /// <summary>Current status.</summary>
    public MerchantStatus Status { get; set; }
    /// <summary>Reason given with the last status change.</summary>
    public string StatusReason { get; set; } = "";
    /// <summary>When the merchant was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the merchant last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One status change of a merchant (table <c>merchant_status_changes</c>), kept so that an evaluation can
/// tell whether a merchant was eligible at the moment of a purchase.
/// </summary>
public sealed class MerchantStatusChange
{
    /// <summary>Row number.</summary>
    public long Id { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>The status from <see cref="EffectiveAt"/> on.</summary>
    public MerchantStatus Status { get; init; }
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
    /// <summary>When the status took effect.</summary>
    public DateTimeOffset EffectiveAt { get; init; }
    /// <summary>The calling system that made the change.</summary>
    public required string ChangedBy { get; init; }
}

/// <summary>
/// A merchant's category and scale as they were until a change replaced them (table <c>merchant_attribute_changes</c>): the
/// registry keeps the current values on the merchant, and this log the earlier ones, so that a closed month is evaluated
/// with the values its close saw (<see cref="EBakul.Hub.Domain.Payroll.PeriodState.FrozenMerchantChangeId"/>).
/// </summary>
public sealed class MerchantAttributeChange
{
    /// <summary>Row number: the order of the changes.</summary>
    public long Id { get; init; }
    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }
    /// <summary>The category before the change.</summary>
    public MerchantCategory CategoryBefore { get; init; }
    /// <summary>The scale before the change.</summary>
    public MerchantScale ScaleBefore { get; init; }
    /// <summary>When the change was made.</summary>
    public DateTimeOffset ChangedAt { get; init; }
    /// <summary>The calling system that made it.</summary>
    public required string ChangedBy { get; init; }
}
