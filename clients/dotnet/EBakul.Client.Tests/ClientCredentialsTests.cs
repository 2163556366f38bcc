using EBakul.Hub.Tests.Infrastructure;
using EBakul.Regions.V1;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Client.Tests;

/// <summary>
/// EBakul.Client with <see cref="ClientCredentialsTokenProvider"/>: tokens from a real issuer's token endpoint (the test
/// issuer, oidc-provider), sent to a real hub process configured to accept that issuer.
/// </summary>
public sealed class ClientCredentialsTests
{
    [Fact]
    public async Task The_client_gets_an_access_token_from_the_issuer_caches_it_and_calls_the_hub_with_it()
    {
        var client = new IssuerClient("regions-reader", "reader-secret", "regions.read", Kind: "app", Regencies: "35.22");
        await using var issuer = await OidcIssuerProcess.StartAsync([client]);
        var folder = Path.Combine(Path.GetTempPath(), "ebakul-client-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = issuer.HubSettings();
        settings["Access:CreateDevelopmentCredential"] = "false";
        await using var hub = new RestartableHubProcess(Path.Combine(folder, "hub.db"), settings);
        await hub.StartAsync();

        using var tokens = new ClientCredentialsTokenProvider(new ClientCredentialsOptions
        {
            TokenEndpoint = new Uri($"{issuer.Address}/token"), ClientId = client.ClientId, ClientSecret = client.ClientSecret, Scope = "regions.read",
        });
        var services = new ServiceCollection();
        services.AddEBakulClient(o =>
        {
            o.Address = new Uri(hub.Address);
            o.TokenProvider = tokens.GetTokenAsync;
        });
        await using var provider = services.BuildServiceProvider();
        var regions = provider.GetRequiredService<RegionService.RegionServiceClient>();

        var first = await regions.ListRegenciesAsync(new ListRegenciesRequest());
        var second = await regions.ListRegenciesAsync(new ListRegenciesRequest());
        Assert.Contains(first.Regencies, r => r.Code == "35.22");
        Assert.Equal(first, second);
        Assert.Equal(1, tokens.TokenRequests); // the second call reused the cached token

        var refused = new ClientCredentialsTokenProvider(new ClientCredentialsOptions
        {
            TokenEndpoint = new Uri($"{issuer.Address}/token"), ClientId = client.ClientId, ClientSecret = "wrong",
        });
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetTokenAsync(CancellationToken.None).AsTask());
        Assert.Contains("invalid_client", error.Message);
        Assert.DoesNotContain("wrong", error.Message);
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_token_is_renewed_shortly_before_it_expires()
    {
        var client = new IssuerClient("regions-reader", "reader-secret", "regions.read", Kind: "app", Regencies: "35.22");
        await using var issuer = await OidcIssuerProcess.StartAsync([client], accessTokenTtlSeconds: 600);
        var clock = new SteppedClock(DateTimeOffset.UtcNow);
        using var tokens = new ClientCredentialsTokenProvider(new ClientCredentialsOptions
        {
            TokenEndpoint = new Uri($"{issuer.Address}/token"), ClientId = client.ClientId, ClientSecret = client.ClientSecret,
        }, clock: clock);

        var first = await tokens.GetTokenAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(600 - 61);
        Assert.Equal(first, await tokens.GetTokenAsync(CancellationToken.None));
        clock.Now += TimeSpan.FromSeconds(2); // within 60 s of the expiry
        Assert.NotEqual(first, await tokens.GetTokenAsync(CancellationToken.None));
        Assert.Equal(2, tokens.TokenRequests);
    }

    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
