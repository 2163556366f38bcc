using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;

namespace EBakul.Benchmarks;

/// <summary>
/// Who buys and who sells in the purchase scenarios: the active employees (with their offices) and the active
/// merchants of the hub's regency, as the hub lists them.
/// </summary>
/// <param name="RegencyCode">The regency of all of them.</param>
/// <param name="Nips">The employees' NIPs.</param>
/// <param name="OfficeCodes">Each employee's office, at the same index as <paramref name="Nips"/>.</param>
/// <param name="MerchantIds">The merchants' ids.</param>
public sealed record Actors(string RegencyCode, string[] Nips, string[] OfficeCodes, string[] MerchantIds)
{
    /// <summary>The buyer of purchase number <paramref name="n"/>.</summary>
    public int EmployeeIndex(long n) => (int)(n % Nips.Length);

    /// <summary>Purchase number <paramref name="n"/>: every buyer and merchant in turn, each with its own receipt.</summary>
    public PurchaseDraft Draft(long n) => new()
    {
        EmployeeNip = Nips[EmployeeIndex(n)],
        MerchantId = MerchantIds[(n * 7919) % MerchantIds.Length],
        AmountRupiah = 10_000 + n % 200 * 500,
        OccurTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-30)),
        ReceiptKind = ReceiptKind.Nota,
        ReceiptReference = $"BENCH-{n}",
    };
}
