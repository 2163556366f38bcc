using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using EBakul.Quota.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Quota;

/// <summary>
/// Puts employees, merchants and purchases in place for quota tests. Purchases go through the ledger's gRPC service;
/// employees and merchants are written directly until the roster and merchant services are available.
/// </summary>
internal sealed class QuotaArrange(HubFactory hub)
{
    private static int _counter;

    public const string Regency = "35.22";

    public static readonly TimeSpan JakartaOffset = TimeSpan.FromHours(7);

    public QuotaService.QuotaServiceClient Quota { get; } = new(hub.Channel);

    public LedgerService.LedgerServiceClient Ledger { get; } = new(hub.Channel);

    /// <summary>An instant in Jakarta time.</summary>
    public static DateTimeOffset Wib(int year, int month, int day, int hour = 10, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, JakartaOffset);

    /// <summary>A fresh valid NIP (18 digits).</summary>
    public static string NewNip()
    {
        var n = Interlocked.Increment(ref _counter);
        return $"{new DateOnly(1970, 1, 1).AddDays(n / 999):yyyyMMdd}2001031{n % 999 + 1:D3}";
    }

    /// <summary>
    /// An employee with an ACTIVE status from <paramref name="activeFrom"/> (default 2020-01-01), then the later
    /// <paramref name="changes"/> in order.
    /// </summary>
    public async Task<string> EmployeeAsync(
        long tppCeiling = 3_000_000, string office = "1.02.01", int kelasJabatan = 9, int employmentType = 1, int echelon = 1,
        DateOnly? activeFrom = null, string regency = Regency, params (int Status, DateOnly From)[] changes)
    {
        var nip = NewNip();
        var timeline = new List<(int Status, DateOnly From)> { (1, activeFrom ?? new DateOnly(2020, 1, 1)) };
        timeline.AddRange(changes);
        var (status, from) = timeline[^1];
        await Writer.WriteAsync(tx =>
        {
            tx.Command(
                    "INSERT INTO employees (nip, regency_code, name, office_code, kelas_jabatan, employment_type, echelon, tpp_ceiling_rupiah, " +
                    "status, status_effective_date, updated_at) VALUES ($nip, $regency, 'Budi Santoso', $office, $kelas, $type, $echelon, $tpp, " +
                    "$status, $date, 0)")
                .Bind("$nip", nip).Bind("$regency", regency).Bind("$office", office).Bind("$kelas", kelasJabatan)
                .Bind("$type", employmentType).Bind("$echelon", echelon).Bind("$tpp", tppCeiling)
                .Bind("$status", status).Bind("$date", from.ToString("yyyy-MM-dd"))
                .ExecuteNonQuery();
            foreach (var (s, d) in timeline)
            {
                tx.Command("INSERT INTO employee_status_changes (nip, status, effective_date, recorded_at) VALUES ($nip, $status, $date, 0)")
                    .Bind("$nip", nip).Bind("$status", s).Bind("$date", d.ToString("yyyy-MM-dd")).ExecuteNonQuery();
            }
            return 0;
        });
        return nip;
    }

    /// <summary>
    /// A merchant registered (pending) at <paramref name="registeredAt"/> and verified at <paramref name="verifiedAt"/>
    /// (defaults: 1 and 2 January 2025), then the later status <paramref name="changes"/> (2 active, 3 suspended).
    /// </summary>
    public async Task<string> MerchantAsync(
        int category = 1, int scale = 2, string regency = Regency, DateTimeOffset? registeredAt = null, DateTimeOffset? verifiedAt = null,
        params (int Status, DateTimeOffset At)[] changes)
    {
        var id = Guid.CreateVersion7().ToString("N");
        var timeline = new List<(int Status, DateTimeOffset At)>
        {
            (1, registeredAt ?? Wib(2025, 1, 1)),
            (2, verifiedAt ?? Wib(2025, 1, 2)),
        };
        timeline.AddRange(changes);
        await Writer.WriteAsync(tx =>
        {
            tx.Command(
                    "INSERT INTO merchants (id, regency_code, name, owner_name, owner_nik, nib, category, scale, kecamatan_code, address, " +
                    "latitude, longitude, qris_nmid, status, status_reason, created_at, updated_at) VALUES " +
                    "($id, $regency, $name, 'Sri Wahyuni', '3522015708850001', NULL, $category, $scale, '35.22.15', 'Jl. Veteran 1', " +
                    "NULL, NULL, NULL, $status, '', 0, 0)")
                .Bind("$id", id).Bind("$regency", regency).Bind("$name", $"Warung {id[^4..]}")
                .Bind("$category", category).Bind("$scale", scale).Bind("$status", timeline[^1].Status)
                .ExecuteNonQuery();
            foreach (var (s, at) in timeline)
            {
                tx.Command("INSERT INTO merchant_status_changes (merchant_id, status, reason, effective_at, changed_by) VALUES ($id, $status, 'test', $at, 'test')")
                    .Bind("$id", id).Bind("$status", s).Bind("$at", at.ToUnixTimeMilliseconds()).ExecuteNonQuery();
            }
            return 0;
        });
        return id;
    }

    /// <summary>Records a purchase through the ledger.</summary>
    public async Task<Purchase> PurchaseAsync(string nip, string merchantId, long amount, DateTimeOffset at, string regency = Regency) =>
        (await Ledger.RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            RegencyCode = regency,
            Purchase = new PurchaseDraft
            {
                EmployeeNip = nip,
                MerchantId = merchantId,
                AmountRupiah = amount,
                OccurTime = Timestamp.FromDateTimeOffset(at),
                ReceiptKind = ReceiptKind.Nota,
                ReceiptReference = $"NT-{Interlocked.Increment(ref _counter):D7}",
            },
        })).Purchase;

    /// <summary>Voids a purchase through the ledger.</summary>
    public async Task VoidAsync(string purchaseId, string reason = "wrong amount on the nota", string regency = Regency) =>
        await Ledger.VoidPurchaseAsync(new VoidPurchaseRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = regency, PurchaseId = purchaseId, Reason = reason,
        });

    /// <summary>Evaluates one employee.</summary>
    public Task<EvaluateEmployeeResponse> EvaluateAsync(string nip, string period, string regency = Regency) =>
        Quota.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = regency, Nip = nip, Period = period }).ResponseAsync;

    /// <summary>Sets a policy with a fresh request_id.</summary>
    public async Task<QuotaPolicy> SetPolicyAsync(QuotaPolicyDraft draft, string regency = Regency) =>
        (await Quota.SetQuotaPolicyAsync(new SetQuotaPolicyRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = regency, Policy = draft,
        })).Policy;

    /// <summary>A valid draft: 10% of TPP with a Rp300,000 floor, 50% cap, proration, shortfall sanction.</summary>
    public static QuotaPolicyDraft Draft(string effectivePeriod, Action<QuotaPolicyDraft>? change = null)
    {
        var draft = new QuotaPolicyDraft
        {
            EffectivePeriod = effectivePeriod,
            RequiredAmount = new RequiredAmountRule { TppPercentage = new TppPercentageRule { BasisPoints = 1000, FloorRupiah = 300_000 } },
            MerchantCapBasisPoints = 5000,
            ProrationEnabled = true,
            Sanction = new Sanction { Kind = SanctionKind.DeductShortfall },
            Description = "test policy",
        };
        change?.Invoke(draft);
        return draft;
    }

    private DatabaseWriter Writer
    {
        get
        {
            _ = hub.Channel; // starts the host
            return hub.Services.GetRequiredService<DatabaseWriter>();
        }
    }
}
