using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.DemoData;

/// <summary>
/// A generated merchant, as a registering system would describe it, plus its status history. It has no
/// hub identifier: the hub assigns one when the row is stored (by <see cref="DemoDataLoader"/> or by the
/// merchant service), and purchases name their merchant by <see cref="Index"/>.
/// </summary>
public sealed record DemoMerchant(
    int Index,
    string Name,
    string OwnerName,
    string OwnerNik,
    string? Nib,
    MerchantCategory Category,
    MerchantScale Scale,
    string KecamatanCode,
    string Address,
    double Latitude,
    double Longitude,
    string? QrisNmid,
    IReadOnlyList<DemoMerchantStatus> History)
{
    /// <summary>When the merchant registered (the first status change).</summary>
    public DateTimeOffset RegisteredAt => History[0].EffectiveAt;

    /// <summary>The current status (the last status change).</summary>
    public DemoMerchantStatus Current => History[^1];
}

/// <summary>One status of a merchant from an instant on, with the reason given.</summary>
public sealed record DemoMerchantStatus(MerchantStatus Status, string Reason, DateTimeOffset EffectiveAt);

/// <summary>An office (OPD) of the regency and the kecamatan its staff work in.</summary>
public sealed record DemoOffice(string Code, string Name, string KecamatanCode);

/// <summary>A generated civil servant, as the personnel system would sync them, plus their status timeline.</summary>
public sealed record DemoEmployee(
    string Nip,
    string Name,
    DemoOffice Office,
    int KelasJabatan,
    EmploymentType EmploymentType,
    Echelon Echelon,
    long TppCeilingRupiah,
    IReadOnlyList<DemoEmployeeStatus> History)
{
    /// <summary>The current status (the last entry of the timeline).</summary>
    public DemoEmployeeStatus Current => History[^1];
}

/// <summary>One status of an employee from a Jakarta calendar date on.</summary>
public sealed record DemoEmployeeStatus(EmployeeStatus Status, DateOnly EffectiveDate);

/// <summary>
/// A generated purchase, as an OPD system or the e-Bakul app would record it. The merchant is named by
/// <see cref="DemoMerchant.Index"/>; the office is the buyer's office at the time.
/// </summary>
public readonly record struct DemoPurchase(
    string EmployeeNip,
    string OfficeCode,
    int MerchantIndex,
    long AmountRupiah,
    DateTimeOffset OccurredAt,
    ReceiptKind ReceiptKind,
    string ReceiptReference,
    string? EvidenceSha256);
