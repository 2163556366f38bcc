using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests.Merchants;

public sealed class MerchantListTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly MerchantService.MerchantServiceClient _client;

    public MerchantListTests() => _client = new MerchantService.MerchantServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    /// <summary>
    /// 30 merchants: kecamatan alternating 35.22.15 / 35.22.16, categories cycling food / services / craft,
    /// every fourth one verified.
    /// </summary>
    private async Task<List<Merchant>> SeedAsync()
    {
        var categories = new[] { MerchantCategory.FoodAndDrink, MerchantCategory.Services, MerchantCategory.Craft };
        var merchants = new List<Merchant>();
        for (var i = 0; i < 30; i++)
        {
            var draft = TestData.ValidMerchantDraft(kecamatanCode: i % 2 == 0 ? "35.22.15" : "35.22.16", category: categories[i % 3],
                scale: i % 5 == 0 ? MerchantScale.Small : MerchantScale.Micro);
            merchants.Add(i % 4 == 0
                ? await TestData.RegisterActiveMerchantAsync(_hub.Channel, draft)
                : await TestData.RegisterMerchantAsync(_hub.Channel, draft));
            _hub.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        return merchants;
    }

    private async Task<List<Merchant>> ReadAllPages(ListMerchantsRequest request, int expectedPages)
    {
        var all = new List<Merchant>();
        var pages = 0;
        do
        {
            var page = await _client.ListMerchantsAsync(request);
            all.AddRange(page.Merchants);
            pages++;
            request.PageToken = page.NextPageToken;
        } while (request.PageToken != "" && pages < 100);
        Assert.Equal(expectedPages, pages);
        return all;
    }

    [Fact]
    public async Task Paging_with_filters_returns_every_match_once_in_registration_order()
    {
        var merchants = await SeedAsync();
        var expected = merchants.Where(m => m.KecamatanCode == "35.22.15" && m.Category == MerchantCategory.FoodAndDrink)
            .Select(m => m.MerchantId).ToList();
        Assert.Equal(5, expected.Count);

        var found = await ReadAllPages(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = "35.22.15", Category = MerchantCategory.FoodAndDrink, PageSize = 2,
        }, expectedPages: 3);

        Assert.Equal(expected, found.Select(m => m.MerchantId));
    }

    [Fact]
    public async Task Every_filter_narrows_the_list()
    {
        var merchants = await SeedAsync();

        var all = await ReadAllPages(new ListMerchantsRequest { RegencyCode = TestData.Regency, PageSize = 7 }, expectedPages: 5);
        Assert.Equal(merchants.Select(m => m.MerchantId), all.Select(m => m.MerchantId));

        var active = await ReadAllPages(new ListMerchantsRequest { RegencyCode = TestData.Regency, Status = MerchantStatus.Active }, expectedPages: 1);
        Assert.Equal(merchants.Where(m => m.Status == MerchantStatus.Active).Select(m => m.MerchantId), active.Select(m => m.MerchantId));

        var small = await ReadAllPages(new ListMerchantsRequest { RegencyCode = TestData.Regency, Scale = MerchantScale.Small, PageSize = 4 }, expectedPages: 2);
        Assert.Equal(merchants.Where(m => m.Scale == MerchantScale.Small).Select(m => m.MerchantId), small.Select(m => m.MerchantId));

        var pendingCraftIn16 = await ReadAllPages(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = "35.22.16", Category = MerchantCategory.Craft, Status = MerchantStatus.PendingVerification,
        }, expectedPages: 1);
        Assert.Equal(
            merchants.Where(m => m is { KecamatanCode: "35.22.16", Category: MerchantCategory.Craft, Status: MerchantStatus.PendingVerification })
                .Select(m => m.MerchantId),
            pendingCraftIn16.Select(m => m.MerchantId));
        Assert.NotEmpty(pendingCraftIn16);
    }

    [Fact]
    public async Task Default_page_is_50_and_the_last_page_has_no_token()
    {
        for (var i = 0; i < 51; i++) await TestData.RegisterMerchantAsync(_hub.Channel);

        var first = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency });
        Assert.Equal(50, first.Merchants.Count);
        Assert.NotEqual("", first.NextPageToken);
        var second = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, PageToken = first.NextPageToken });
        Assert.Single(second.Merchants);
        Assert.Equal("", second.NextPageToken);
    }

    [Fact]
    public async Task A_token_reused_with_other_filters_is_refused()
    {
        await SeedAsync();
        var page = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, KecamatanCode = "35.22.15", PageSize = 3 });
        Assert.NotEqual("", page.NextPageToken);

        var otherKecamatan = await RpcAssert.ExpectInvalid("page_token", () => _client.ListMerchantsAsync(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = "35.22.16", PageSize = 3, PageToken = page.NextPageToken,
        }).ResponseAsync);
        Assert.Equal("PAGE_TOKEN_INVALID", otherKecamatan.Reason());
        await RpcAssert.ExpectInvalid("page_token", () => _client.ListMerchantsAsync(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = "35.22.15", Status = MerchantStatus.Active, PageToken = page.NextPageToken,
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_token", () => _client.ListMerchantsAsync(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, PageToken = "not-a-token",
        }).ResponseAsync);

        // A different page size with the same filters is fine.
        var next = await _client.ListMerchantsAsync(new ListMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = "35.22.15", PageSize = 5, PageToken = page.NextPageToken,
        });
        Assert.Equal(5, next.Merchants.Count);
    }

    [Fact]
    public async Task Invalid_list_requests_are_refused()
    {
        await RpcAssert.ExpectInvalid("page_size", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, PageSize = 1001 }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_size", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, PageSize = -1 }).ResponseAsync);
        await RpcAssert.ExpectInvalid("category", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, Category = (MerchantCategory)77 }).ResponseAsync);
        await RpcAssert.ExpectInvalid("scale", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, Scale = (MerchantScale)77 }).ResponseAsync);
        await RpcAssert.ExpectInvalid("status", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, Status = (MerchantStatus)77 }).ResponseAsync);
        var kecamatan = await RpcAssert.ExpectInvalid("kecamatan_code", () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, KecamatanCode = "35.23.01" }).ResponseAsync);
        Assert.Equal("KECAMATAN_NOT_IN_REGENCY", kecamatan.Reason());
        await RpcAssert.ExpectInvalid("regency_code", () => _client.ListMerchantsAsync(new ListMerchantsRequest()).ResponseAsync);
        var regency = await RpcAssert.Expect(StatusCode.NotFound, () => _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = "35.99" }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", regency.Reason());
    }

    [Fact]
    public async Task A_regency_lists_only_its_own_merchants()
    {
        var bojonegoro = await TestData.RegisterMerchantAsync(_hub.Channel);
        var tuban = await TestData.RegisterMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(kecamatanCode: "35.23.01"), "35.23");

        var inBojonegoro = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency });
        var inTuban = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = "35.23" });

        Assert.Equal(bojonegoro.MerchantId, Assert.Single(inBojonegoro.Merchants).MerchantId);
        Assert.Equal(tuban.MerchantId, Assert.Single(inTuban.Merchants).MerchantId);
    }
}
