using EBakul.Hub.Tests.Infrastructure;
using EBakul.Regions.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests;

public sealed class RegionServiceTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Bojonegoro_is_seeded_with_its_28_kecamatan()
    {
        var client = new RegionService.RegionServiceClient(_hub.Channel);

        var regencies = await client.ListRegenciesAsync(new ListRegenciesRequest());
        Assert.Contains(regencies.Regencies, r => r.Code == "35.22");

        var kecamatan = await client.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.22" });
        Assert.Equal(28, kecamatan.Kecamatan.Count);
        Assert.Equal(("35.22.01", "Ngraho"), (kecamatan.Kecamatan[0].Code, kecamatan.Kecamatan[0].Name));
        Assert.Equal(("35.22.28", "Gayam"), (kecamatan.Kecamatan[27].Code, kecamatan.Kecamatan[27].Name));
    }

    [Fact]
    public async Task Unknown_regency_is_not_found_and_empty_is_invalid()
    {
        var client = new RegionService.RegionServiceClient(_hub.Channel);
        var notFound = await RpcAssert.Expect(StatusCode.NotFound, () => client.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.99" }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", notFound.Reason());
        await RpcAssert.ExpectInvalid("regency_code", () => client.ListKecamatanAsync(new ListKecamatanRequest()).ResponseAsync);
    }
}
