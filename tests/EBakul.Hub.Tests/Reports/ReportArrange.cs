using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Reports.V1;
using EBakul.Roster.V1;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// Merchants, employees and purchases for report tests, put in place through the hub's services, and the spending
/// report recomputed from scratch: from the ledger as <c>ListPurchases</c> returns it, the merchant registry, the roster,
/// and what the test knows of each merchant's verification and suspensions, without any of the reports' code.
/// </summary>
internal sealed class ReportArrange(HubFactory hub)
{
    public QuotaArrange Quota { get; } = new(hub);

    public ReportService.ReportServiceClient Reports { get; } = new(hub.Channel);

    /// <summary>When each merchant was ACTIVE, as the test arranged it: from verification, minus suspensions.</summary>
    private readonly Dictionary<string, List<(DateTimeOffset From, DateTimeOffset Until)>> _active = [];

    /// <summary>
    /// A merchant in <paramref name="kecamatan"/> verified at <paramref name="verifiedAt"/> (default 2 January 2025), suspended
    /// during <paramref name="suspended"/> when given.
    /// </summary>
    public async Task<string> MerchantAsync(string kecamatan, MerchantCategory category = MerchantCategory.FoodAndDrink,
        MerchantScale scale = MerchantScale.Micro, DateTimeOffset? verifiedAt = null, (DateTimeOffset From, DateTimeOffset Until)? suspended = null)
    {
        var client = new MerchantService.MerchantServiceClient(hub.Channel);
        var now = hub.Clock.GetUtcNow();
        var verified = verifiedAt ?? Wib(2025, 1, 2);
        try
        {
            hub.Clock.Set(verified.AddDays(-1));
            var id = (await TestData.RegisterMerchantAsync(hub.Channel, TestData.ValidMerchantDraft(kecamatanCode: kecamatan, category: category, scale: scale))).MerchantId;
            hub.Clock.Set(verified);
            await client.VerifyMerchantAsync(new VerifyMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = id, Reason = "field visit" });
            _active[id] = [(verified, DateTimeOffset.MaxValue)];
            if (suspended is { } window)
            {
                hub.Clock.Set(window.From);
                await client.SuspendMerchantAsync(new SuspendMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = id, Reason = "nota palsu" });
                hub.Clock.Set(window.Until);
                await client.ReinstateMerchantAsync(new ReinstateMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = id, Reason = "review closed" });
                _active[id] = [(verified, window.From), (window.Until, DateTimeOffset.MaxValue)];
            }
            return id;
        }
        finally
        {
            hub.Clock.Set(now);
        }
    }

    /// <summary>The spending report as the service answers it.</summary>
    public async Task<SpendingReport> ReportAsync(string period, string office = "", int top = 100) =>
        (await Reports.GetSpendingReportAsync(new GetSpendingReportRequest { RegencyCode = Regency, Period = period, OfficeCode = office, TopMerchantCount = top })).Report;

    /// <summary>
    /// The spending report of <paramref name="period"/> recomputed from scratch, with no folding (minimum group size 1):
    /// standing purchases (not voided) at a merchant ACTIVE at the purchase's moment, whose category is not modern retail
    /// or franchise and whose scale is ultra-micro or micro (the default policy), grouped by the merchant's category,
    /// kecamatan and scale and by the buyer's office in the month. A merchant counts under its values at its first purchase
    /// of the month: those in <paramref name="asAtFirstPurchase"/> for a merchant the test changed after that purchase,
    /// the registry's current values otherwise.
    /// </summary>
    public async Task<SpendingReport> RecomputeAsync(string period, IReadOnlyDictionary<string, string> officeInMonth, int top = 100,
        IReadOnlyDictionary<string, Merchant>? asAtFirstPurchase = null)
    {
        var ledger = new LedgerService.LedgerServiceClient(hub.Channel);
        var merchants = new MerchantService.MerchantServiceClient(hub.Channel);
        var purchases = new List<Purchase>();
        var token = "";
        do
        {
            var page = await ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, Period = period, PageSize = 1000, PageToken = token });
            purchases.AddRange(page.Purchases);
            token = page.NextPageToken;
        } while (token.Length > 0);

        var facts = new Dictionary<string, Merchant>();
        foreach (var id in purchases.Select(p => p.MerchantId).Distinct())
            facts[id] = asAtFirstPurchase?.GetValueOrDefault(id)
                ?? (await merchants.GetMerchantAsync(new GetMerchantRequest { RegencyCode = Regency, MerchantId = id })).Merchant;

        var counted = purchases.Where(p => p.Kind == EntryKind.Purchase && p.VoidedByPurchaseId.Length == 0)
            .Where(p =>
            {
                var m = facts[p.MerchantId];
                var at = p.OccurTime.ToDateTimeOffset();
                return m.Category is not (MerchantCategory.ModernRetail or MerchantCategory.Franchise)
                    && m.Scale is MerchantScale.UltraMicro or MerchantScale.Micro
                    && _active[p.MerchantId].Any(w => at >= w.From && at < w.Until);
            })
            .Select(p => (p.EmployeeNip, Office: officeInMonth[p.EmployeeNip], Merchant: facts[p.MerchantId], p.AmountRupiah))
            .ToList();
        var total = counted.Sum(c => c.AmountRupiah);
        var monthStart = Wib(int.Parse(period[..4]), int.Parse(period[5..]), 1, 0);
        var newSince = monthStart.AddMonths(-2);
        bool IsNew(Merchant m) => _active[m.MerchantId][0].From >= newSince && _active[m.MerchantId][0].From < monthStart.AddMonths(1);

        List<SpendingGroup> Groups(Func<(string EmployeeNip, string Office, Merchant Merchant, long AmountRupiah), string> key, Func<string, string> name) =>
            counted.GroupBy(key).Select(g => new SpendingGroup
            {
                Key = g.Key, DisplayName = name(g.Key), SpentRupiah = g.Sum(c => c.AmountRupiah), PurchaseCount = g.Count(),
                BuyerCount = g.Select(c => c.EmployeeNip).Distinct().Count(), MerchantCount = g.Select(c => c.Merchant.MerchantId).Distinct().Count(),
                ShareBasisPoints = (int)(g.Sum(c => c.AmountRupiah) * 10_000 / total),
            }).OrderByDescending(g => g.SpentRupiah).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

        var byMerchant = counted.GroupBy(c => c.Merchant.MerchantId).Select(g => new MerchantSpending
        {
            MerchantId = g.Key, MerchantName = g.First().Merchant.Name, KecamatanCode = g.First().Merchant.KecamatanCode,
            Category = CategoryName(g.First().Merchant.Category),
            SpentRupiah = g.Sum(c => c.AmountRupiah), PurchaseCount = g.Count(), BuyerCount = g.Select(c => c.EmployeeNip).Distinct().Count(),
            NewlyRegistered = IsNew(g.First().Merchant),
        }).ToList();

        var report = new SpendingReport
        {
            RegencyCode = Regency, Period = period, PolicyVersion = 1, MinimumGroupSize = 1,
            SpentRupiah = total, PurchaseCount = counted.Count, BuyerCount = counted.Select(c => c.EmployeeNip).Distinct().Count(),
            MerchantCount = byMerchant.Count, NewMerchantSpentRupiah = counted.Where(c => IsNew(c.Merchant)).Sum(c => c.AmountRupiah),
        };
        report.NewMerchantShareBasisPoints = total == 0 ? 0 : (int)(report.NewMerchantSpentRupiah * 10_000 / total);
        var kecamatanNames = (await new EBakul.Regions.V1.RegionService.RegionServiceClient(hub.Channel)
                .ListKecamatanAsync(new EBakul.Regions.V1.ListKecamatanRequest { RegencyCode = Regency }))
            .Kecamatan.ToDictionary(k => k.Code, k => k.Name);
        report.ByCategory.AddRange(Groups(c => CategoryName(c.Merchant.Category), k => CategoryLabels[k]));
        report.ByKecamatan.AddRange(Groups(c => c.Merchant.KecamatanCode, k => kecamatanNames[k]));
        report.ByOffice.AddRange(Groups(c => c.Office, k => $"Kantor {k}"));
        report.ByScale.AddRange(Groups(c => ScaleName(c.Merchant.Scale), k => ScaleLabels[k]));
        report.TopMerchantsByAmount.AddRange(byMerchant.OrderByDescending(m => m.SpentRupiah).ThenBy(m => m.MerchantId, StringComparer.Ordinal).Take(top));
        report.TopMerchantsByBuyers.AddRange(byMerchant.OrderByDescending(m => m.BuyerCount).ThenByDescending(m => m.SpentRupiah)
            .ThenBy(m => m.MerchantId, StringComparer.Ordinal).Take(top));
        return report;
    }

    private static string CategoryName(MerchantCategory category) => category switch
    {
        MerchantCategory.FoodAndDrink => "MERCHANT_CATEGORY_FOOD_AND_DRINK",
        MerchantCategory.Services => "MERCHANT_CATEGORY_SERVICES",
        MerchantCategory.DailyNeeds => "MERCHANT_CATEGORY_DAILY_NEEDS",
        MerchantCategory.IkmProduct => "MERCHANT_CATEGORY_IKM_PRODUCT",
        MerchantCategory.Craft => "MERCHANT_CATEGORY_CRAFT",
        _ => category.ToString(),
    };

    private static string ScaleName(MerchantScale scale) => scale switch
    {
        MerchantScale.UltraMicro => "MERCHANT_SCALE_ULTRA_MICRO",
        MerchantScale.Micro => "MERCHANT_SCALE_MICRO",
        _ => scale.ToString(),
    };

    private static readonly Dictionary<string, string> CategoryLabels = new()
    {
        ["MERCHANT_CATEGORY_FOOD_AND_DRINK"] = "Makanan dan minuman", ["MERCHANT_CATEGORY_SERVICES"] = "Jasa",
        ["MERCHANT_CATEGORY_DAILY_NEEDS"] = "Kebutuhan sehari-hari", ["MERCHANT_CATEGORY_IKM_PRODUCT"] = "Produk IKM",
        ["MERCHANT_CATEGORY_CRAFT"] = "Kerajinan",
    };

    private static readonly Dictionary<string, string> ScaleLabels = new()
    {
        ["MERCHANT_SCALE_ULTRA_MICRO"] = "Ultra mikro", ["MERCHANT_SCALE_MICRO"] = "Mikro",
    };
}
