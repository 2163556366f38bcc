using EBakul.Hub.Data;
using ReportAggregates = EBakul.Hub.Domain.Reports.ReportAggregates;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Merchants.V1;
using EBakul.Reports.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// The spending report equals a from-scratch recomputation from the ledger, the registry and the roster (with no
/// folding: minimum group size 1), after purchases, after voids, and after a close and a correction.
/// </summary>
public sealed class SpendingReportTests : IDisposable
{
    private const string September = "2025-09";
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly ReportArrange _arrange;
    private readonly Dictionary<string, string> _officeInSeptember = [];
    private readonly List<string> _purchases = [];

    public SpendingReportTests()
    {
        _hub.Settings["Reports:MinimumGroupSize"] = "1";
        _arrange = new ReportArrange(_hub);
    }

    public void Dispose() => _hub.Dispose();

    /// <summary>
    /// Five merchants in three kecamatan: two long verified, one verified in August (new in September), one of a scale
    /// that does not count (small), one suspended from 10 to 20 September. Ten employees in two offices, one of whom moves
    /// from Health to Education on 15 September (its month counts under Education). Purchases at every merchant, one of
    /// them made during the suspension (in the ledger from an import).
    /// </summary>
    private async Task<string[]> ArrangeAsync()
    {
        var m1 = await _arrange.MerchantAsync("35.22.15");
        var m2 = await _arrange.MerchantAsync("35.22.15", MerchantCategory.Services, MerchantScale.UltraMicro);
        var m3 = await _arrange.MerchantAsync("35.22.01", MerchantCategory.Craft, verifiedAt: Wib(2025, 8, 10));
        var m4 = await _arrange.MerchantAsync("35.22.01", scale: MerchantScale.Small);
        var m5 = await _arrange.MerchantAsync("35.22.02", suspended: (Wib(2025, 9, 10), Wib(2025, 9, 20)));
        string[] merchants = [m1, m2, m3, m4, m5];

        var nips = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var office = i < 6 ? Health : Education;
            var nip = await _arrange.Quota.EmployeeAsync(office: office);
            nips.Add(nip);
            _officeInSeptember[nip] = office;
        }
        var now = _hub.Clock.GetUtcNow();
        _hub.Clock.Set(Wib(2025, 9, 15, 8));
        await _arrange.Quota.ReassignAsync(nips[0], e => (e.OfficeCode, e.OfficeName) = (Education, $"Kantor {Education}"));
        _officeInSeptember[nips[0]] = Education;
        _hub.Clock.Set(now);

        for (var i = 0; i < nips.Count; i++)
        {
            for (var k = 0; k <= i % 4; k++)
            {
                var merchant = merchants[(i + k) % merchants.Length];
                var day = merchant == m5 ? 3 + k : 2 + i + k;
                _purchases.Add((await _arrange.Quota.PurchaseAsync(nips[i], merchant, 25_000 + 5_000 * i + 1_000 * k, Wib(2025, 9, day))).PurchaseId);
            }
        }
        await _arrange.Quota.LegacyPurchaseAsync(nips[3], m5, 77_000, Wib(2025, 9, 12));
        _purchases.Add((await _arrange.Quota.PurchaseAsync(nips[3], m5, 66_000, Wib(2025, 9, 22))).PurchaseId);
        return [.. nips];
    }

    private async Task AssertEqualsRecomputationAsync()
    {
        var expected = await _arrange.RecomputeAsync(September, _officeInSeptember);
        var actual = await _arrange.ReportAsync(September);
        Assert.True(expected.SpentRupiah > 0);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_report_equals_a_recomputation_after_purchases_voids_and_a_correction()
    {
        var nips = await ArrangeAsync();
        await AssertEqualsRecomputationAsync();

        // Voids, and purchases recorded late.
        await _arrange.Quota.VoidAsync(_purchases[1]);
        await _arrange.Quota.VoidAsync(_purchases[^1]);
        await _arrange.Quota.PurchaseAsync(nips[9], (await _arrange.ReportAsync(September)).TopMerchantsByAmount[0].MerchantId, 90_000, Wib(2025, 9, 29));
        await AssertEqualsRecomputationAsync();

        // A close, then a correction that voids one purchase and records a forgotten nota.
        var payroll = new PayrollArrange(_hub);
        await payroll.CloseAsync(September);
        await AssertEqualsRecomputationAsync();
        await payroll.OpenCorrectionAsync(September);
        await _arrange.Quota.VoidAsync(_purchases[4]);
        await _arrange.Quota.PurchaseAsync(nips[5], (await _arrange.ReportAsync(September)).TopMerchantsByBuyers[0].MerchantId, 120_000, Wib(2025, 9, 30, 20));
        await payroll.CloseAsync(September);
        await AssertEqualsRecomputationAsync();
    }

    [Fact]
    public async Task The_report_equals_a_recomputation_after_a_move_and_a_merchant_change_made_after_purchases()
    {
        var nips = await ArrangeAsync();
        var merchants = new MerchantService.MerchantServiceClient(_hub.Channel);
        var september = await _arrange.ReportAsync(September);

        // An employee moves on 25 September: the whole of September now counts under the new office.
        var now = _hub.Clock.GetUtcNow();
        _hub.Clock.Set(Wib(2025, 9, 25, 8));
        await _arrange.Quota.ReassignAsync(nips[1], e => (e.OfficeCode, e.OfficeName) = (Education, $"Kantor {Education}"));
        _officeInSeptember[nips[1]] = Education;

        // The month's biggest merchant moves to another kecamatan and changes category after its September purchases: its
        // September stays where it was (also for a purchase after the change); October counts under the new values.
        var changed = september.TopMerchantsByAmount[0].MerchantId;
        var before = (await merchants.GetMerchantAsync(new GetMerchantRequest { RegencyCode = Regency, MerchantId = changed })).Merchant;
        var moved = before.KecamatanCode == "35.22.01" ? "35.22.15" : "35.22.01";
        await merchants.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = changed,
            Merchant = new MerchantDraft { KecamatanCode = moved, Category = MerchantCategory.DailyNeeds },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "kecamatan_code", "category" } },
        });
        _hub.Clock.Set(now);
        Assert.NotEqual(MerchantCategory.DailyNeeds, before.Category);
        await _arrange.Quota.PurchaseAsync(nips[7], changed, 55_000, Wib(2025, 9, 27));
        await _arrange.Quota.PurchaseAsync(nips[8], changed, 45_000, Wib(2025, 10, 2));
        await _arrange.Quota.PurchaseAsync(nips[1], changed, 35_000, Wib(2025, 10, 3));

        var expected = await _arrange.RecomputeAsync(September, _officeInSeptember, asAtFirstPurchase: new Dictionary<string, Merchant> { [changed] = before });
        Assert.Equal(expected, await _arrange.ReportAsync(September));
        Assert.Contains(expected.ByKecamatan, g => g.Key == before.KecamatanCode);
        var october = await _arrange.RecomputeAsync("2025-10", _officeInSeptember);
        Assert.Equal(october, await _arrange.ReportAsync("2025-10"));
        Assert.Equal([moved], october.ByKecamatan.Select(g => g.Key));
        Assert.Equal(["MERCHANT_CATEGORY_DAILY_NEEDS"], october.ByCategory.Select(g => g.Key));

        // The employee level agrees: the office's own report is its part of the regency's.
        AssertPartOf(expected, await _arrange.ReportAsync(September, Education));
    }

    /// <summary>An office's report holds that office only, with the figures of its group in the regency's report.</summary>
    private static void AssertPartOf(SpendingReport regency, SpendingReport office)
    {
        Assert.Equal([office.OfficeCode], office.ByOffice.Select(g => g.Key));
        var part = regency.ByOffice.Single(g => g.Key == office.OfficeCode);
        Assert.Equal((part.SpentRupiah, part.PurchaseCount, part.BuyerCount, part.MerchantCount),
            (office.SpentRupiah, office.PurchaseCount, office.BuyerCount, office.MerchantCount));
    }

    [Fact]
    public async Task A_rebuild_from_the_ledger_gives_the_same_report_as_the_aggregates_kept_by_the_writes()
    {
        var nips = await ArrangeAsync();
        await _arrange.Quota.VoidAsync(_purchases[2]);
        var kept = await _arrange.ReportAsync(September);
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), kept);

        // As after a migration onto an existing ledger: the regency is marked, and the next report rebuilds it first (the
        // purchase imported during a merchant's suspension stays out, as it always was).
        await _hub.Services.GetRequiredService<DatabaseWriter>().WriteAsync(tx =>
        {
            ReportAggregates.MarkForRebuild(tx, Regency, _hub.Clock.GetUtcNow());
            return 0;
        });
        Assert.Equal(kept, await _arrange.ReportAsync(September));
        await using (var scope = _hub.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<HubDbContext>().ReportRebuilds.AnyAsync());

        // Writes after the rebuild keep it up to date.
        await _arrange.Quota.VoidAsync(_purchases[3]);
        await _arrange.Quota.PurchaseAsync(nips[4], kept.TopMerchantsByBuyers[0].MerchantId, 33_000, Wib(2025, 9, 28));
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), await _arrange.ReportAsync(September));
    }

    [Fact]
    public async Task Each_figure_follows_its_definition()
    {
        await ArrangeAsync();
        var report = await _arrange.ReportAsync(September);

        // The small merchant's purchases are no spending; the suspended one's count before and after, not during, the suspension.
        Assert.DoesNotContain(report.ByScale, g => g.Key == "MERCHANT_SCALE_SMALL");
        Assert.Equal(["35.22.01", "35.22.02", "35.22.15"], report.ByKecamatan.Select(g => g.Key).Order());
        Assert.Equal(report.SpentRupiah, report.ByCategory.Sum(g => g.SpentRupiah));
        Assert.Equal(report.SpentRupiah, report.ByOffice.Sum(g => g.SpentRupiah));
        Assert.Equal(report.BuyerCount, report.ByOffice.Sum(g => g.BuyerCount));
        Assert.Equal(report.PurchaseCount, report.ByScale.Sum(g => g.PurchaseCount));
        // The mover's month counts under Education, where its month belongs: with three of Education's own four (the
        // fourth bought only at the small merchant).
        Assert.Equal([Education, Health], report.ByOffice.Select(g => g.Key).Order());
        Assert.Equal(4, report.ByOffice.Single(g => g.Key == Education).BuyerCount);
        // The merchant verified on 10 August is new in September (window: July to September).
        var craft = report.TopMerchantsByAmount.Single(m => m.Category == "MERCHANT_CATEGORY_CRAFT");
        Assert.True(craft.NewlyRegistered);
        Assert.Equal(craft.SpentRupiah, report.NewMerchantSpentRupiah);
        Assert.Equal((int)(craft.SpentRupiah * 10_000 / report.SpentRupiah), report.NewMerchantShareBasisPoints);
        Assert.Equal("Makanan dan minuman", report.ByCategory.Single(g => g.Key == "MERCHANT_CATEGORY_FOOD_AND_DRINK").DisplayName);
        Assert.Equal("Ngraho", report.ByKecamatan.Single(g => g.Key == "35.22.01").DisplayName);
        Assert.False(report.Suppressed);

        // A month without purchases is empty, not suppressed.
        var august = await _arrange.ReportAsync("2025-08");
        Assert.Equal((0L, 0, false, 1), (august.SpentRupiah, august.ByCategory.Count, august.Suppressed, august.PolicyVersion));
    }

    [Fact]
    public async Task An_office_report_holds_only_that_office_and_equals_its_part_of_the_regency()
    {
        await ArrangeAsync();
        var regency = await _arrange.ReportAsync(September);
        var health = await _arrange.ReportAsync(September, Health);

        Assert.Equal(Health, health.OfficeCode);
        AssertPartOf(regency, health);
    }

    [Fact]
    public async Task The_trend_gives_each_month_and_its_change_from_the_month_before()
    {
        var nips = await ArrangeAsync();
        var merchant = (await _arrange.ReportAsync(September)).TopMerchantsByAmount[0].MerchantId;
        await _arrange.Quota.PurchaseAsync(nips[2], merchant, 40_000, Wib(2025, 10, 5));
        await _arrange.Quota.PurchaseAsync(nips[3], merchant, 60_000, Wib(2025, 10, 6));
        var september = await _arrange.ReportAsync(September);

        var trend = await _arrange.Reports.GetSpendingTrendAsync(new GetSpendingTrendRequest { RegencyCode = Regency, EndPeriod = "2025-10", Months = 4 });

        // July: before Bojonegoro's first policy (August 2025), nothing is spending. August: a policy, no purchases.
        Assert.Equal(["2025-07", "2025-08", "2025-09", "2025-10"], trend.Months.Select(m => m.Period));
        var (july, august, sept, october) = (trend.Months[0], trend.Months[1], trend.Months[2], trend.Months[3]);
        Assert.Equal((0, 0L, false), (july.PolicyVersion, july.SpentRupiah, july.ChangeDefined));
        Assert.Equal((1, 0L, 0L, false), (august.PolicyVersion, august.SpentRupiah, august.ChangeRupiah, august.ChangeDefined));
        Assert.Equal((september.SpentRupiah, september.SpentRupiah, false), (sept.SpentRupiah, sept.ChangeRupiah, sept.ChangeDefined));
        var change = 100_000 - september.SpentRupiah;
        Assert.Equal((100_000L, change, true, (int)(change * 10_000 / september.SpentRupiah)),
            (october.SpentRupiah, october.ChangeRupiah, october.ChangeDefined, october.ChangeBasisPoints));
        Assert.Equal(september.ByKecamatan, sept.ByKecamatan);
        Assert.Equal(september.ByOffice, sept.ByOffice);
        Assert.Equal(september.ByCategory, sept.ByCategory);
        Assert.Equal(september.ByScale, sept.ByScale);
    }
}
