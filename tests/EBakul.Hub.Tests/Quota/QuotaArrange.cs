using EBakul.Hub.Data;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Quota.V1;
using EBakul.Roster.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using EntryKind = EBakul.Hub.Domain.Ledger.EntryKind;
using Purchase = EBakul.Ledger.V1.Purchase;
using ReceiptKind = EBakul.Ledger.V1.ReceiptKind;

namespace EBakul.Hub.Tests.Quota;

/// <summary>
/// Puts employees, merchants and purchases in place for quota tests, through the hub's own gRPC services: the roster's
/// sync, the merchant registry and the purchase ledger.
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

    /// <summary>A fresh valid NIP.</summary>
    public static string NewNip() => RosterTestData.NewNip();

    /// <summary>
    /// An employee synced through the roster with ACTIVE status from <paramref name="activeFrom"/> (default 2020-01-01),
    /// then re-synced with each of the later <paramref name="changes"/> in order (1 active, 2 on leave, 3 left).
    /// </summary>
    public async Task<string> EmployeeAsync(
        long tppCeiling = 3_000_000, string office = "1.02.01", int kelasJabatan = 9, int employmentType = 1, int echelon = 1,
        DateOnly? activeFrom = null, string regency = Regency, params (int Status, DateOnly From)[] changes)
    {
        var row = RosterTestData.Employee(change: e =>
        {
            e.OfficeCode = office;
            e.OfficeName = $"Kantor {office}";
            e.KelasJabatan = kelasJabatan;
            e.EmploymentType = (EmploymentType)employmentType;
            e.Echelon = (Echelon)echelon;
            e.TppCeilingRupiah = tppCeiling;
            e.Status = EmployeeStatus.Active;
            e.StatusEffectiveDate = RosterTestData.Date(activeFrom ?? new DateOnly(2020, 1, 1));
        });
        await SyncAsync(row, regency);
        foreach (var (status, from) in changes)
        {
            row.Status = (EmployeeStatus)status;
            row.StatusEffectiveDate = RosterTestData.Date(from);
            await SyncAsync(row, regency);
        }
        return row.Nip;
    }

    /// <summary>
    /// Re-syncs an employee as the personnel system would after a change (a move, a promotion, a new TPP), on the hub's
    /// clock's date: the roster row as stored, changed by <paramref name="change"/>.
    /// </summary>
    public async Task ReassignAsync(string nip, Action<Employee> change, string regency = Regency)
    {
        var row = (await new RosterService.RosterServiceClient(hub.Channel).GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = regency, Nip = nip })).Employee;
        row.UpdateTime = null;
        change(row);
        await SyncAsync(row, regency);
    }

    private async Task SyncAsync(Employee row, string regency)
    {
        var result = (await RosterTestData.SyncAsync(hub.Channel, [row.Clone()], regency)).Results.Single();
        Assert.True(result.Outcome is SyncOutcome.Created or SyncOutcome.Updated, $"{result.Outcome} {result.Reason} {result.Field}: {result.Description}");
    }

    /// <summary>
    /// A merchant registered (pending) at <paramref name="registeredAt"/> and verified at <paramref name="verifiedAt"/>
    /// (defaults: 1 and 2 January 2025), then suspended (3) or reinstated (2) at each of the later
    /// <paramref name="changes"/>, all through the merchant registry with the hub's clock set to those moments (and put
    /// back afterwards).
    /// </summary>
    public async Task<string> MerchantAsync(
        int category = 1, int scale = 2, string regency = Regency, DateTimeOffset? registeredAt = null, DateTimeOffset? verifiedAt = null,
        params (int Status, DateTimeOffset At)[] changes)
    {
        var client = new MerchantService.MerchantServiceClient(hub.Channel);
        var now = hub.Clock.GetUtcNow();
        try
        {
            hub.Clock.Set(registeredAt ?? Wib(2025, 1, 1));
            var draft = TestData.ValidMerchantDraft(
                kecamatanCode: regency == Regency ? TestData.KecamatanBojonegoro : HubFactory.OtherRegencyKecamatanCode,
                category: (MerchantCategory)category, scale: (MerchantScale)scale);
            var id = (await TestData.RegisterMerchantAsync(hub.Channel, draft, regency)).MerchantId;
            hub.Clock.Set(verifiedAt ?? Wib(2025, 1, 2));
            await client.VerifyMerchantAsync(new VerifyMerchantRequest
            {
                RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = "field visit, NIB checked",
            });
            foreach (var (status, at) in changes)
            {
                hub.Clock.Set(at);
                if (status == (int)MerchantStatus.Suspended)
                {
                    await client.SuspendMerchantAsync(new SuspendMerchantRequest
                    {
                        RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = "nota palsu, under review",
                    });
                }
                else
                {
                    await client.ReinstateMerchantAsync(new ReinstateMerchantRequest
                    {
                        RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = "review closed",
                    });
                }
            }
            return id;
        }
        finally
        {
            hub.Clock.Set(now);
        }
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

    /// <summary>
    /// A purchase in the ledger that the ledger would refuse today: at a merchant that was not active at its moment. Such
    /// rows come from before recording judged the merchant's status at the purchase's moment (or from a ledger imported
    /// whole); the evaluation must still explain them. Written with the ledger's own append, in its office of today.
    /// </summary>
    public async Task<Purchase> LegacyPurchaseAsync(string nip, string merchantId, long amount, DateTimeOffset at, string regency = Regency)
    {
        var ledger = hub.Services.GetRequiredService<PurchaseLedger>();
        var office = (await new RosterService.RosterServiceClient(hub.Channel).GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = regency, Nip = nip })).Employee.OfficeCode;
        var entry = await hub.Services.GetRequiredService<DatabaseWriter>().WriteAsync(tx => ledger.Append(tx, new LedgerEntry
        {
            Id = Guid.CreateVersion7().ToString("N"), RegencyCode = regency, Kind = EntryKind.Purchase, EmployeeNip = nip, OfficeCode = office,
            MerchantId = merchantId, AmountRupiah = amount, OccurredAt = at, PeriodKey = Hub.Domain.Period.Containing(at).Key,
            ReceiptKind = EBakul.Hub.Domain.Ledger.ReceiptKind.Nota, ReceiptReference = $"LEGACY-{Interlocked.Increment(ref _counter):D7}",
            RecordedBy = "legacy-import", RecordedAt = at,
        }));
        return (await Ledger.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = regency, PurchaseId = entry.Id })).Purchase;
    }

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
}
