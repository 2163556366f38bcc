using System.Net;
using System.Net.Http.Headers;
using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests;

/// <summary>gRPC-Web for browsers, and CORS: off unless <c>Cors:AllowedOrigins</c> lists the page's origin.</summary>
public sealed class BrowserAccessTests
{
    private const string Origin = "https://ebakul.bojonegorokab.go.id";
    private const string ListRegencies = "/ebakul.regions.v1.RegionService/ListRegencies";

    [Fact]
    public async Task A_grpc_web_call_is_answered_with_its_trailers_in_the_body()
    {
        using var hub = new HubFactory();
        using var client = hub.CreateClient();

        using var response = await client.SendAsync(GrpcWebCall(hub));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc-web", response.Content.Headers.ContentType?.MediaType);
        var body = System.Text.Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Kabupaten Bojonegoro", body);
        Assert.Matches(@"grpc-status: ?0\r\n", body);
    }

    [Fact]
    public async Task Without_allowed_origins_a_cross_origin_preflight_is_not_allowed()
    {
        using var hub = new HubFactory();
        using var client = hub.CreateClient();

        using var response = await client.SendAsync(Preflight(Origin));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_allowed_origin_passes_the_preflight_and_may_read_the_grpc_status()
    {
        using var hub = new HubFactory();
        hub.Settings["Cors:AllowedOrigins:0"] = Origin;
        using var client = hub.CreateClient();

        using var preflight = await client.SendAsync(Preflight(Origin));
        Assert.True(preflight.IsSuccessStatusCode, preflight.StatusCode.ToString());
        Assert.Equal(Origin, Assert.Single(preflight.Headers.GetValues("Access-Control-Allow-Origin")));

        var call = GrpcWebCall(hub);
        call.Headers.Add("Origin", Origin);
        using var response = await client.SendAsync(call);
        Assert.Equal(Origin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("grpc-status", string.Join(',', response.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);

        using var other = await client.SendAsync(Preflight("https://elsewhere.example"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, ListRegencies);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web");
        return request;
    }

    /// <summary>ListRegencies as a browser's gRPC-Web call: an empty message in a 5-byte frame.</summary>
    private static HttpRequestMessage GrpcWebCall(HubFactory hub)
    {
        var token = hub.IssueToken(new EBakul.Hub.Access.Caller
        {
            Id = "browser", DisplayName = "Browser", Kind = EBakul.Hub.Access.CallerKind.Admin, Scopes = EBakul.Hub.Access.Scopes.RegionsRead,
            Regencies = EBakul.Hub.Access.CallerIdentity.AllRegencies, RateLimitPerSecond = 1000,
        });
        var request = new HttpRequestMessage(HttpMethod.Post, ListRegencies) { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web");
        request.Headers.Add("x-grpc-web", "1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
