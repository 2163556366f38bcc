using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests.Merchants;

public sealed class NearbySearchTests : IDisposable
{
    // One degree of latitude is about 111,195 m on the mean Earth radius.
    private const double MetresPerDegreeLatitude = 111_195.08;

    private readonly HubFactory _hub = new();
    private readonly MerchantService.MerchantServiceClient _client;

    public NearbySearchTests() => _client = new MerchantService.MerchantServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    /// <summary>An active merchant <paramref name="metresNorth"/> north of the alun-alun.</summary>
    private Task<Merchant> ActiveAt(double metresNorth, string name, MerchantCategory category = MerchantCategory.FoodAndDrink,
        string kecamatan = TestData.KecamatanBojonegoro) =>
        TestData.RegisterActiveMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(name: name, category: category, kecamatanCode: kecamatan,
            latitude: TestData.BojonegoroLatitude + metresNorth / MetresPerDegreeLatitude, longitude: TestData.BojonegoroLongitude));

    private static SearchNearbyMerchantsRequest AroundAlunAlun(int radius = 0, int pageSize = 0) => new()
    {
        RegencyCode = TestData.Regency,
        Point = new GeoPoint { Latitude = TestData.BojonegoroLatitude, Longitude = TestData.BojonegoroLongitude },
        RadiusMeters = radius,
        PageSize = pageSize,
    };

    [Fact]
    public async Task Point_search_returns_active_merchants_within_the_radius_nearest_first()
    {
        var far = await ActiveAt(1500, "Far");
        var near = await ActiveAt(-100, "Near");
        var middle = await ActiveAt(700, "Middle");
        await ActiveAt(2600, "Outside the default radius");
        var pending = await TestData.RegisterMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(name: "Pending"));
        var suspended = await ActiveAt(10, "Suspended");
        await _client.SuspendMerchantAsync(new SuspendMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = suspended.MerchantId, Reason = "audit",
        });
        await TestData.RegisterActiveMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(name: "No location", latitude: null));

        var found = await _client.SearchNearbyMerchantsAsync(AroundAlunAlun());

        Assert.Equal(new[] { near.MerchantId, middle.MerchantId, far.MerchantId }, found.Merchants.Select(m => m.Merchant.MerchantId));
        Assert.Equal(new[] { 100, 700, 1500 }, found.Merchants.Select(m => m.DistanceMeters));
        Assert.DoesNotContain(found.Merchants, m => m.Merchant.MerchantId == pending.MerchantId);
        Assert.All(found.Merchants, m => Assert.Equal(MerchantStatus.Active, m.Merchant.Status));
    }

    [Fact]
    public async Task Radius_page_size_and_category_narrow_a_point_search()
    {
        for (var i = 1; i <= 6; i++) await ActiveAt(i * 1000, $"Food {i}");
        var craft = await ActiveAt(500, "Batik Jonegoroan", MerchantCategory.Craft);

        var wide = await _client.SearchNearbyMerchantsAsync(AroundAlunAlun(radius: 4500));
        Assert.Equal(new[] { 500, 1000, 2000, 3000, 4000 }, wide.Merchants.Select(m => m.DistanceMeters));

        var firstTwo = await _client.SearchNearbyMerchantsAsync(AroundAlunAlun(radius: 50_000, pageSize: 2));
        Assert.Equal(new[] { 500, 1000 }, firstTwo.Merchants.Select(m => m.DistanceMeters));

        var crafts = AroundAlunAlun(radius: 50_000);
        crafts.Category = MerchantCategory.Craft;
        var onlyCraft = await _client.SearchNearbyMerchantsAsync(crafts);
        Assert.Equal(craft.MerchantId, Assert.Single(onlyCraft.Merchants).Merchant.MerchantId);
    }

    [Fact]
    public async Task Point_search_measures_great_circle_distance_east_west_too()
    {
        // 0.01 degree of longitude at 7.15° S is about 1103 m.
        var east = await TestData.RegisterActiveMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(
            latitude: TestData.BojonegoroLatitude, longitude: TestData.BojonegoroLongitude + 0.01));

        var found = await _client.SearchNearbyMerchantsAsync(AroundAlunAlun());

        var hit = Assert.Single(found.Merchants);
        Assert.Equal(east.MerchantId, hit.Merchant.MerchantId);
        Assert.InRange(hit.DistanceMeters, 1100, 1106);
    }

    [Fact]
    public async Task Kecamatan_search_returns_its_active_merchants_by_name()
    {
        var warung = await ActiveAt(0, "warung Kopi Mbah Rus");
        var bakso = await ActiveAt(0, "Bakso Pak Min");
        var ledre = await ActiveAt(0, "Ledre Super Bu Tatik");
        await ActiveAt(0, "Elsewhere", kecamatan: "35.22.16");
        await TestData.RegisterMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(name: "A pending one"));

        var found = await _client.SearchNearbyMerchantsAsync(new SearchNearbyMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = TestData.KecamatanBojonegoro,
        });

        Assert.Equal(new[] { bakso.MerchantId, ledre.MerchantId, warung.MerchantId }, found.Merchants.Select(m => m.Merchant.MerchantId));
        Assert.All(found.Merchants, m => Assert.Equal(0, m.DistanceMeters));
    }

    [Fact]
    public async Task Invalid_searches_are_refused()
    {
        async Task<Google.Rpc.Status> Invalid(string field, SearchNearbyMerchantsRequest request) =>
            await RpcAssert.ExpectInvalid(field, () => _client.SearchNearbyMerchantsAsync(request).ResponseAsync);

        var noOrigin = await Invalid("origin", new SearchNearbyMerchantsRequest { RegencyCode = TestData.Regency });
        Assert.Equal("FIELD_REQUIRED", noOrigin.Reason());
        await Invalid("radius_meters", AroundAlunAlun(radius: 50_001));
        await Invalid("radius_meters", AroundAlunAlun(radius: -5));
        await Invalid("page_size", AroundAlunAlun(pageSize: 201));
        await Invalid("point.latitude", new SearchNearbyMerchantsRequest { RegencyCode = TestData.Regency, Point = new GeoPoint { Latitude = -91, Longitude = 111 } });
        await Invalid("point.longitude", new SearchNearbyMerchantsRequest { RegencyCode = TestData.Regency, Point = new GeoPoint { Latitude = -7 } });
        var category = AroundAlunAlun();
        category.Category = (MerchantCategory)50;
        await Invalid("category", category);
        var kecamatan = await Invalid("kecamatan_code", new SearchNearbyMerchantsRequest { RegencyCode = TestData.Regency, KecamatanCode = "35.23.01" });
        Assert.Equal("KECAMATAN_NOT_IN_REGENCY", kecamatan.Reason());

        var unknownRegency = AroundAlunAlun();
        unknownRegency.RegencyCode = "35.99";
        var notFound = await RpcAssert.Expect(StatusCode.NotFound, () => _client.SearchNearbyMerchantsAsync(unknownRegency).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", notFound.Reason());
    }

    [Fact]
    public async Task Another_regencys_merchants_are_not_found_nearby()
    {
        await TestData.RegisterActiveMerchantAsync(_hub.Channel, TestData.ValidMerchantDraft(kecamatanCode: "35.23.01"), "35.23");

        var found = await _client.SearchNearbyMerchantsAsync(AroundAlunAlun());

        Assert.Empty(found.Merchants);
    }
}
