using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Ledger;

/// <summary>Puts merchants and employees in place for ledger tests and builds valid purchase drafts.</summary>
internal sealed class LedgerArrange(HubFactory hub)
{
    private int _counter;

    public LedgerService.LedgerServiceClient Client { get; } = new(hub.Channel);

    /// <summary>A merchant in the given state (1 pending, 2 active, 3 suspended), in it since 1 January 2025 (or <paramref name="since"/>).</summary>
    public async Task<string> MerchantAsync(int status = 2, string regencyCode = "35.22", string kecamatan = "35.22.15", DateTimeOffset? since = null)
    {
        var id = Guid.CreateVersion7().ToString("N");
        var writer = hub.Services.GetRequiredService<DatabaseWriter>();
        await writer.WriteAsync(tx =>
        {
            tx.Command(
                    "INSERT INTO merchants (id, regency_code, name, owner_name, owner_nik, nib, category, scale, kecamatan_code, address, " +
                    "latitude, longitude, qris_nmid, status, status_reason, created_at, updated_at) VALUES " +
                    "($id, $regency, 'Warung Bu Sri', 'Sri Wahyuni', '3522015708850001', NULL, 1, 2, $kecamatan, 'Jl. Veteran 1', NULL, NULL, NULL, $status, '', 0, 0)")
                .Bind("$id", id).Bind("$regency", regencyCode).Bind("$kecamatan", kecamatan).Bind("$status", status)
                .ExecuteNonQuery();
            return tx.Command("INSERT INTO merchant_status_changes (merchant_id, status, reason, effective_at, changed_by) VALUES ($id, $status, 'arranged', $at, 'test')")
                .Bind("$id", id).Bind("$status", status).Bind("$at", (since ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(7))).ToUnixTimeMilliseconds())
                .ExecuteNonQuery();
        });
        return id;
    }

    /// <summary>An employee of the given office and status (1 active, 2 on leave, 3 left).</summary>
    public async Task<string> EmployeeAsync(string officeCode = "1.02.01", int status = 1, string regencyCode = "35.22")
    {
        var serial = Interlocked.Increment(ref _counter) % 999 + 1;
        var nip = $"198503152010011{serial:D3}";
        var writer = hub.Services.GetRequiredService<DatabaseWriter>();
        await writer.WriteAsync(tx => tx.Command(
                "INSERT INTO employees (nip, regency_code, name, office_code, kelas_jabatan, employment_type, echelon, tpp_ceiling_rupiah, " +
                "status, status_effective_date, updated_at) VALUES ($nip, $regency, 'Budi Santoso', $office, 9, 1, 1, 4000000, $status, '2020-01-01', 0) " +
                "ON CONFLICT DO NOTHING")
            .Bind("$nip", nip).Bind("$regency", regencyCode).Bind("$office", officeCode).Bind("$status", status)
            .ExecuteNonQuery());
        return nip;
    }

    /// <summary>A valid draft with a fresh receipt reference.</summary>
    public PurchaseDraft Draft(string nip, string merchantId, long amount = 75_000, DateTimeOffset? at = null) => new()
    {
        EmployeeNip = nip,
        MerchantId = merchantId,
        AmountRupiah = amount,
        OccurTime = Timestamp.FromDateTimeOffset(at ?? HubFactory.DefaultNow.AddHours(-2)),
        ReceiptKind = ReceiptKind.Nota,
        ReceiptReference = $"NT-{Interlocked.Increment(ref _counter):D6}",
    };

    /// <summary>Records a purchase with a fresh request_id.</summary>
    public async Task<Purchase> RecordAsync(PurchaseDraft draft, string regencyCode = "35.22") =>
        (await Client.RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            RegencyCode = regencyCode,
            Purchase = draft,
        })).Purchase;
}
