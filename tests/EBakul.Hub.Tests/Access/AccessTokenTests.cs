using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using EBakul.Ledger.V1;
using EBakul.Regions.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EBakul.Hub.Tests.Access;

/// <summary>The test issuer (a real oidc-provider process), shared by the tests of a class.</summary>
public sealed class OidcIssuerFixture : IAsyncLifetime
{
    /// <summary>An office system of Bojonegoro: records and reads its office's purchases.</summary>
    public static readonly IssuerClient Office = new("simpeg-dinkes", "office-secret", "purchases.write purchases.read regions.read",
        Kind: "office", Regencies: "35.22", Office: "1.02.01");

    /// <summary>A client that may only read regions.</summary>
    public static readonly IssuerClient Reader = new("regions-reader", "reader-secret", "regions.read", Kind: "app", Regencies: "35.22");

    /// <summary>A Dinas console reading Bojonegoro's reports.</summary>
    public static readonly IssuerClient Reports = new("dindagkop-console", "reports-secret", "reports.read", Kind: "admin", Regencies: "35.22");

    /// <summary>A client whose tokens carry none of the hub's claims (kind, regencies, office), as SPLP's consumers.</summary>
    public static readonly IssuerClient Bare = new("splp-consumer", "bare-secret", "regions.read");

    /// <summary>The issuer.</summary>
    public OidcIssuerProcess Issuer { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Issuer = await OidcIssuerProcess.StartAsync([Office, Reader, Reports, Bare]);

    /// <inheritdoc />
    public async Task DisposeAsync() => await Issuer.DisposeAsync();
}

/// <summary>
/// JWT access tokens of a configured issuer (docs/access.md, "OAuth 2.0 access tokens"), got from a real issuer's token
/// endpoint (client_credentials) and sent to the hub over gRPC, HTTP/JSON and gRPC-Web; and every way such a token is refused.
/// </summary>
public sealed class AccessTokenTests : IClassFixture<OidcIssuerFixture>, IDisposable
{
    private readonly OidcIssuerProcess _issuer;
    private readonly HubFactory _hub = new();

    public AccessTokenTests(OidcIssuerFixture fixture)
    {
        _issuer = fixture.Issuer;
        foreach (var (key, value) in _issuer.HubSettings()) _hub.Settings[key] = value;
    }

    public void Dispose() => _hub.Dispose();

    private RegionService.RegionServiceClient Regions(string token) => new(_hub.ChannelFor(token));

    private Task<ListRegenciesResponse> ListRegenciesAsync(string token) => Regions(token).ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync;

    [Fact]
    public async Task An_office_system_records_a_purchase_over_grpc_and_over_json_with_an_issuer_s_access_token()
    {
        var arrange = new LedgerArrange(_hub);
        var merchant = await arrange.MerchantAsync();
        var nip = await arrange.EmployeeAsync(officeCode: "1.02.01");
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Office);

        var ledger = new LedgerService.LedgerServiceClient(_hub.ChannelFor(token));
        var recorded = await ledger.RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = "35.22", Purchase = arrange.Draft(nip, merchant),
        });
        Assert.Equal("test-issuer/simpeg-dinkes", recorded.Purchase.RecordedBy);

        using var http = _hub.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/regencies/35.22/purchases")
        {
            Content = new StringContent($$"""
                {"requestId":"{{TestData.RequestId()}}","purchase":{"employeeNip":"{{nip}}","merchantId":"{{merchant}}","amountRupiah":"42000",
                 "occurTime":"{{HubFactory.DefaultNow.AddHours(-1).ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}}","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NT-JWT-JSON-1"} }
                """, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("test-issuer/simpeg-dinkes", JsonDocument.Parse(body).RootElement.GetProperty("purchase").GetProperty("recordedBy").GetString());

        // The audit trail names the issuer and the client; the token is nowhere in it.
        var events = await new EBakul.Audit.V1.AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(
            new EBakul.Audit.V1.ListAuditEventsRequest { RegencyCode = "35.22", CallerId = "test-issuer/simpeg-dinkes" });
        Assert.Equal(2, events.Events.Count);
        Assert.DoesNotContain(token.Split('.')[2], events.ToString());
    }

    [Fact]
    public async Task A_grpc_web_call_with_an_issuer_s_access_token_is_answered()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        using var http = _hub.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ebakul.regions.v1.RegionService/ListRegencies") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web");
        request.Headers.Add("x-grpc-web", "1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Kabupaten Bojonegoro", body);
        Assert.Matches(@"grpc-status: ?0\r\n", body);
    }

    [Fact]
    public async Task A_report_csv_download_takes_an_issuer_s_access_token_and_refuses_it_alike()
    {
        using var http = _hub.CreateClient();
        const string path = "/v1/regencies/35.22/reports/spending-by-category.csv?period=2025-09";
        async Task<(HttpStatusCode Status, string Body)> DownloadAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, body) = await DownloadAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reports));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        (status, body) = await DownloadAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reader));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("SCOPE_MISSING", body);
        (status, body) = await DownloadAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reports, resource: "https://another-api.example"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("TOKEN_AUDIENCE_INVALID", body);
    }

    [Fact]
    public async Task A_valid_token_without_the_method_s_scope_is_permission_denied()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        await ListRegenciesAsync(token);
        var ledger = new LedgerService.LedgerServiceClient(_hub.ChannelFor(token));
        var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", status.Reason());
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_over_grpc_and_json()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Reader, resource: "https://another-api.example");
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(token));
        Assert.Equal("TOKEN_AUDIENCE_INVALID", status.Reason());

        using var http = _hub.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/regencies");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("TOKEN_AUDIENCE_INVALID", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_expired_token_is_refused_after_the_clock_skew_on_the_hub_s_clock()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        var expiry = new JsonWebToken(token).ValidTo;

        _hub.Clock.Set(new DateTimeOffset(expiry).AddSeconds(20)); // within the default 30 s skew
        await ListRegenciesAsync(token);

        _hub.Clock.Set(new DateTimeOffset(expiry).AddSeconds(31));
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(token));
        Assert.Equal("TOKEN_EXPIRED", status.Reason());
    }

    [Fact]
    public async Task After_the_issuer_rotates_its_key_old_and_new_tokens_both_pass_at_once()
    {
        var before = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        await ListRegenciesAsync(before); // the hub now holds the keys published before the rotation
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the test hub's minimum refresh interval

        var kids = await _issuer.RotateKeysAsync();
        var after = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        Assert.Equal(kids[0], new JsonWebToken(after).Kid);
        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);

        await ListRegenciesAsync(after);
        await ListRegenciesAsync(before);
    }

    [Fact]
    public async Task Tokens_signed_with_a_key_not_in_the_jwks_with_alg_none_or_with_hs256_keyed_by_the_public_key_are_refused()
    {
        var genuine = new JsonWebToken(await _issuer.TokenAsync(OidcIssuerFixture.Reader));
        var claims = genuine.Claims.Where(c => c.Type is not ("iat" or "exp" or "nbf")).ToList();

        using var stranger = RSA.Create(2048);
        var unknownKey = Sign(claims, genuine.ValidTo, new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = "not-in-the-jwks" }, SecurityAlgorithms.RsaSha256));
        var sameKidOtherKey = Sign(claims, genuine.ValidTo, new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = genuine.Kid }, SecurityAlgorithms.RsaSha256));

        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""");
        var algNone = $"{header}.{genuine.EncodedPayload}.";

        var jwk = (await _issuer.JwksAsync()).GetProperty("keys").EnumerateArray().First(k => k.GetProperty("kid").GetString() == genuine.Kid);
        using var publicKey = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("n").GetString()), Exponent = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("e").GetString()),
        });
        var hsWithPem = Sign(claims, genuine.ValidTo, new SigningCredentials(
            new SymmetricSecurityKey(Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem())) { KeyId = genuine.Kid }, SecurityAlgorithms.HmacSha256));
        var hsWithModulus = Sign(claims, genuine.ValidTo, new SigningCredentials(
            new SymmetricSecurityKey(Base64UrlEncoder.DecodeBytes(jwk.GetProperty("n").GetString())) { KeyId = genuine.Kid }, SecurityAlgorithms.HmacSha256));
        var tampered = $"{genuine.EncodedHeader}.{Base64UrlEncoder.Encode(genuine.EncodedPayload.Length > 0
            ? Base64UrlEncoder.Decode(genuine.EncodedPayload).Replace("regions.read", "purchases.write regions.read") : "")}.{genuine.EncodedSignature}";

        foreach (var (name, forged) in new[] { ("unknown key", unknownKey), ("same kid, other key", sameKidOtherKey), ("alg none", algNone),
                     ("HS256 keyed by the public key's PEM", hsWithPem), ("HS256 keyed by the modulus", hsWithModulus), ("tampered payload", tampered) })
        {
            var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(forged));
            Assert.True(status.Reason() == "TOKEN_SIGNATURE_INVALID", $"{name}: {status.Reason()} {status.Message}");
        }
        await ListRegenciesAsync(genuine.EncodedToken);
    }

    [Fact]
    public async Task A_token_without_the_hub_s_claims_is_denied_unless_the_issuer_s_settings_give_a_kind_and_regencies()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Bare);
        var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => ListRegenciesAsync(token));
        Assert.Equal("TOKEN_CLAIMS_MISSING", status.Reason());

        using var hub = new HubFactory();
        foreach (var (key, value) in _issuer.HubSettings()) hub.Settings[key] = value;
        hub.Settings["Access:Issuers:0:Kind"] = "regency";
        hub.Settings["Access:Issuers:0:Regencies:0"] = "35.22";
        var answer = await new RegionService.RegionServiceClient(hub.ChannelFor(token)).ListRegenciesAsync(new ListRegenciesRequest());
        Assert.NotEmpty(answer.Regencies);
    }

    [Fact]
    public async Task A_token_of_an_issuer_the_hub_does_not_know_is_refused()
    {
        using var key = RSA.Create(2048);
        var token = Sign([new Claim("iss", "https://sso.elsewhere.example"), new Claim("aud", OidcIssuerProcess.Audience), new Claim("client_id", "x")],
            DateTime.UtcNow.AddHours(1), new SigningCredentials(new RsaSecurityKey(key) { KeyId = "k" }, SecurityAlgorithms.RsaSha256));
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(token));
        Assert.Equal("TOKEN_ISSUER_UNKNOWN", status.Reason());
    }

    [Fact]
    public async Task An_issuer_whose_metadata_cannot_be_read_makes_its_tokens_unavailable_not_internal()
    {
        var closedPort = FreePort();
        _hub.Settings["Access:Issuers:1:Authority"] = $"http://127.0.0.1:{closedPort}";
        _hub.Settings["Access:Issuers:1:Audience"] = OidcIssuerProcess.Audience;
        _hub.Settings["Access:Issuers:1:Kind"] = "app";
        using var key = RSA.Create(2048);
        var token = Sign([new Claim("iss", $"http://127.0.0.1:{closedPort}"), new Claim("aud", OidcIssuerProcess.Audience), new Claim("client_id", "x")],
            DateTime.UtcNow.AddHours(1), new SigningCredentials(new RsaSecurityKey(key) { KeyId = "k" }, SecurityAlgorithms.RsaSha256));

        var status = await RpcAssert.Expect(StatusCode.Unavailable, () => ListRegenciesAsync(token));
        Assert.Equal("ISSUER_METADATA_UNAVAILABLE", status.Reason());
        // The other issuer is not affected.
        await ListRegenciesAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reader));
    }

    [Fact]
    public async Task When_the_issuer_goes_away_the_keys_last_read_stay_in_use()
    {
        var client = new IssuerClient("short-lived-issuer-client", "secret", "regions.read", Kind: "app", Regencies: "35.22");
        var issuer = await OidcIssuerProcess.StartAsync([client]);
        var token = await issuer.TokenAsync(client);
        foreach (var (key, value) in issuer.HubSettings(index: 1, name: "going-away")) _hub.Settings[key] = value;
        await ListRegenciesAsync(token);
        await issuer.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // past the minimum refresh interval: an unknown key makes the hub try to read the keys

        using var stranger = RSA.Create(2048);
        var genuine = new JsonWebToken(token);
        var unknownKey = Sign(genuine.Claims.Where(c => c.Type is not ("iat" or "exp" or "nbf")), genuine.ValidTo,
            new SigningCredentials(new RsaSecurityKey(stranger) { KeyId = "not-in-the-jwks" }, SecurityAlgorithms.RsaSha256));
        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(unknownKey));
        Assert.Equal("TOKEN_SIGNATURE_INVALID", status.Reason());
        await ListRegenciesAsync(token);
    }

    [Fact]
    public async Task A_client_denied_in_the_hub_is_refused_until_it_is_allowed_again()
    {
        var token = await _issuer.TokenAsync(OidcIssuerFixture.Reader);
        await ListRegenciesAsync(token);

        var output = new StringWriter();
        Assert.Equal(0, await HubCommands.RunAsync(_hub.Services, ["callers", "deny", "--issuer", "test-issuer", "--client-id", "regions-reader"], output));
        Assert.Contains("denied caller 'test-issuer/regions-reader'", output.ToString());
        var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => ListRegenciesAsync(token));
        Assert.Equal("CALLER_SUSPENDED", status.Reason());
        // A new token of the issuer does not help; the issuer's other clients are unaffected.
        await RpcAssert.Expect(StatusCode.PermissionDenied, async () => await ListRegenciesAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reader)));
        await ListRegenciesAsync(await _issuer.TokenAsync(OidcIssuerFixture.Office));

        var list = new StringWriter();
        await HubCommands.RunAsync(_hub.Services, ["callers", "list"], list);
        Assert.Contains("test-issuer/regions-reader\tdenied since", list.ToString());

        Assert.Equal(0, await HubCommands.RunAsync(_hub.Services, ["callers", "allow", "--issuer", "test-issuer", "--client-id", "regions-reader"], new StringWriter()));
        await ListRegenciesAsync(token);

        var unknown = new StringWriter();
        Assert.Equal(2, await HubCommands.RunAsync(_hub.Services, ["callers", "deny", "--issuer", "nobody", "--client-id", "x"], unknown));
        Assert.Contains("no configured token issuer is named 'nobody'", unknown.ToString());
    }

    [Fact]
    public async Task The_hub_s_own_tokens_keep_working_beside_the_issuer_s()
    {
        await ListRegenciesAsync(await _issuer.TokenAsync(OidcIssuerFixture.Reader));
        var own = _hub.IssueToken(new Caller
        {
            Id = "own", DisplayName = "own", Kind = CallerKind.EbakulApp, Scopes = Scopes.RegionsRead, Regencies = "35.22", RateLimitPerSecond = 100,
        });
        await ListRegenciesAsync(own);
        var forged = await RpcAssert.Expect(StatusCode.Unauthenticated, () => ListRegenciesAsync(own[..^2] + "zz"));
        Assert.Equal("CREDENTIALS_INVALID", forged.Reason());
    }

    [Fact]
    public void An_http_authority_off_loopback_is_refused_at_start_unless_https_is_turned_off_for_it()
    {
        using var hub = new HubFactory();
        hub.Settings["Access:Issuers:0:Authority"] = "http://sso.bojonegorokab.go.id/realms/ebakul";
        hub.Settings["Access:Issuers:0:Audience"] = OidcIssuerProcess.Audience;
        var error = Assert.ThrowsAny<Exception>(() => hub.Services.GetRequiredService<AccessTokenValidator>());
        Assert.Contains("RequireHttpsMetadata=false", error.ToString());

        using var allowed = new HubFactory();
        allowed.Settings["Access:Issuers:0:Authority"] = "http://sso.bojonegorokab.go.id/realms/ebakul";
        allowed.Settings["Access:Issuers:0:Audience"] = OidcIssuerProcess.Audience;
        allowed.Settings["Access:Issuers:0:RequireHttpsMetadata"] = "false";
        Assert.True(allowed.Services.GetRequiredService<AccessTokenValidator>().HasIssuers);
    }

    private static string Sign(IEnumerable<Claim> claims, DateTime expires, SigningCredentials credentials)
    {
        var payload = claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => (object)g.First().Value);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = payload, Expires = expires, SigningCredentials = credentials, TokenType = "at+jwt",
        });
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
