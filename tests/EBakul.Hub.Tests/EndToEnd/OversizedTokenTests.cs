using System.Net;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Regions.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>
/// Bearer tokens far longer than the hub's, sent to the real hub process (Kestrel's own header limits in the way): each
/// is UNAUTHENTICATED <c>CREDENTIALS_MALFORMED</c> on the gRPC endpoint and HTTP 401 with that reason on the JSON
/// endpoint, up to the hub's request header limit; past it, the transport's answer is the documented HTTP 431.
/// </summary>
public sealed class OversizedTokenTests : IAsyncLifetime
{
    private readonly RestartableHubProcess _hub = new(HubFactory.NewDatabasePath(), new Dictionary<string, string?>());

    public Task InitializeAsync() => _hub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public static TheoryData<int> Lengths => [CredentialStore.MaxTokenLength + 1, 40_000, 100_000, HubEndpoints.MaxRequestHeaderBytes - 1024];

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task A_token_longer_than_the_hub_reads_is_unauthenticated_malformed_on_the_grpc_endpoint(int length)
    {
        using var channel = GrpcChannel.ForAddress(_hub.Address);
        var client = new RegionService.RegionServiceClient(channel);
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest(),
            new Metadata { { "authorization", $"Bearer ebk.{new string('x', length - 4)}" } }).ResponseAsync);
        Assert.Equal("CREDENTIALS_MALFORMED", status.Reason());
        Assert.Contains($"{length} characters", status.Message);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task A_token_longer_than_the_hub_reads_is_401_malformed_on_the_json_endpoint(int length)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_hub.HttpAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/regencies");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer ebk.{new string('x', length - 4)}");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}: {body}");
        var reason = JsonDocument.Parse(body).RootElement.GetProperty("details").EnumerateArray()
            .Select(d => d.TryGetProperty("reason", out var r) ? r.GetString() : null).Single(r => r is not null);
        Assert.Equal("CREDENTIALS_MALFORMED", reason);
    }

    [Fact]
    public async Task Headers_past_the_hub_s_limit_are_refused_by_the_transport_with_431_on_the_json_endpoint()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_hub.HttpAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/regencies");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer ebk.{new string('x', HubEndpoints.MaxRequestHeaderBytes)}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.True(_hub.IsRunning);
    }

    [Fact]
    public async Task Headers_past_the_hub_s_limit_are_refused_by_the_transport_with_431_on_the_grpc_endpoint_and_the_connection_stays()
    {
        using var channel = GrpcChannel.ForAddress(_hub.Address);
        var client = new RegionService.RegionServiceClient(channel);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ListRegenciesAsync(new ListRegenciesRequest(),
            new Metadata { { "authorization", $"Bearer ebk.{new string('x', HubEndpoints.MaxRequestHeaderBytes)}" } }).ResponseAsync);
        // grpc-dotnet reports an HTTP status that is not 200 as INTERNAL (grpc-go as UNKNOWN); the status is the transport's 431.
        Assert.Contains("HTTP status code: 431", ex.Status.Detail);

        // Only that stream was refused: the next call on the same connection is answered by the hub.
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest(),
            new Metadata { { "authorization", "Bearer ebk.x.y" } }).ResponseAsync);
        Assert.Equal("CREDENTIALS_INVALID", status.Reason());
    }
}
