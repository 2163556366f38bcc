using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Merchants.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// Valid test data for the hub's contracts, unique on every call (NIB, QRIS NMID, names), and shortcuts to
/// put merchants in a given state through the real gRPC API.
/// </summary>
public static class TestData
{
    /// <summary>Bojonegoro.</summary>
    public const string Regency = "35.22";

    /// <summary>Kecamatan Bojonegoro (the regency's capital).</summary>
    public const string KecamatanBojonegoro = "35.22.15";

    /// <summary>Alun-alun Bojonegoro.</summary>
    public const double BojonegoroLatitude = -7.1502;

    /// <summary>Alun-alun Bojonegoro.</summary>
    public const double BojonegoroLongitude = 111.8817;

    private static long _sequence = 1_000;

    /// <summary>A number never returned before in this test run.</summary>
    public static long NextNumber() => Interlocked.Increment(ref _sequence);

    /// <summary>A unique request id.</summary>
    public static string RequestId() => $"test-{Guid.NewGuid():N}";

    /// <summary>
    /// A plausible NIK: Bojonegoro's region prefix 352215, a birth date (day + 40 for a woman) and a serial.
    /// </summary>
    public static string Nik(DateOnly? birthDate = null, bool woman = false, int serial = 1)
    {
        var date = birthDate ?? new DateOnly(1985, 4, 12);
        var day = date.Day + (woman ? 40 : 0);
        return $"352215{day:00}{date.Month:00}{date.Year % 100:00}{serial % 10_000:0000}";
    }

    /// <summary>A unique 13-digit NIB.</summary>
    public static string Nib() => $"91{NextNumber():00000000000}";

    /// <summary>A unique QRIS NMID ("ID" + 13 digits).</summary>
    public static string QrisNmid() => $"ID10{NextNumber():00000000000}";

    /// <summary>
    /// A draft that registration accepts: a food-and-drink micro business in Kecamatan Bojonegoro with a unique
    /// NIB and QRIS NMID and a location near the alun-alun. Change what a test needs with <c>with</c>-style
    /// assignments on the returned message.
    /// </summary>
    public static MerchantDraft ValidMerchantDraft(string? name = null, string kecamatanCode = KecamatanBojonegoro,
        MerchantCategory category = MerchantCategory.FoodAndDrink, MerchantScale scale = MerchantScale.Micro,
        double? latitude = BojonegoroLatitude, double? longitude = BojonegoroLongitude)
    {
        var n = NextNumber();
        var draft = new MerchantDraft
        {
            Name = name ?? $"Warung Bu Sri {n}",
            OwnerName = "Sri Wahyuni",
            OwnerNik = Nik(woman: true, serial: (int)(n % 9_999) + 1),
            Nib = Nib(),
            Category = category,
            Scale = scale,
            KecamatanCode = kecamatanCode,
            Address = $"Jl. Panglima Sudirman No. {n % 300 + 1}, Bojonegoro",
            QrisNmid = QrisNmid(),
        };
        if (latitude is { } lat && longitude is { } lon)
            draft.Location = new GeoPoint { Latitude = lat, Longitude = lon };
        return draft;
    }

    /// <summary>Registers a merchant (a valid draft unless one is given) and returns it, PENDING_VERIFICATION.</summary>
    public static async Task<Merchant> RegisterMerchantAsync(GrpcChannel channel, MerchantDraft? draft = null, string regencyCode = Regency)
    {
        var client = new MerchantService.MerchantServiceClient(channel);
        var response = await client.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RequestId = RequestId(), RegencyCode = regencyCode, Merchant = draft ?? ValidMerchantDraft(),
        });
        return response.Merchant;
    }

    /// <summary>Registers and verifies a merchant (a valid draft unless one is given) and returns it, ACTIVE.</summary>
    public static async Task<Merchant> RegisterActiveMerchantAsync(GrpcChannel channel, MerchantDraft? draft = null, string regencyCode = Regency)
    {
        var registered = await RegisterMerchantAsync(channel, draft, regencyCode);
        var client = new MerchantService.MerchantServiceClient(channel);
        var verified = await client.VerifyMerchantAsync(new VerifyMerchantRequest
        {
            RequestId = RequestId(), RegencyCode = regencyCode, MerchantId = registered.MerchantId, Reason = "field visit, NIB checked",
        });
        return verified.Merchant;
    }

}
