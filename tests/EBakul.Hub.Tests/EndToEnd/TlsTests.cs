using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using EBakul.Regions.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>
/// The real hub process serving both callers' endpoints over TLS with a certificate of a test authority (PEM files), and
/// binding the development e-TPP caller to a client certificate of that authority (mutual TLS for e-TPP).
/// </summary>
public sealed class TlsHubProcess : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ebakul-tls", Guid.NewGuid().ToString("N"));

    /// <summary>Prepares the certificates and the hub; xunit starts it.</summary>
    public TlsHubProcess()
    {
        EtppCertificate = Pki.IssueClient("etpp", "etpp.bojonegorokab.go.id");
        OtherCertificate = Pki.IssueClient("other", "etpp.bojonegorokab.go.id");
        StrangerCertificate = Stranger.IssueClient("stranger", "etpp.bojonegorokab.go.id");
        Hub = new RestartableHubProcess(Path.Combine(_folder, "hub.db"), new Dictionary<string, string?>
        {
            ["Access:CreateDevelopmentCredential"] = "true",
            ["Access:EtppClientCertificates:local-etpp"] = EtppCertificate.Sha256Thumbprint,
            ["Access:ClientCertificateAuthorities"] = Pki.AuthorityPath,
        }) { Tls = Pki };
    }

    /// <summary>The authority of the hub's certificate and of e-TPP's client certificate.</summary>
    public TestPki Pki { get; } = new();

    /// <summary>Another authority, which the hub does not trust.</summary>
    public TestPki Stranger { get; } = new("Stranger CA");

    /// <summary>The client certificate bound to <c>local-etpp</c>.</summary>
    public PemPair EtppCertificate { get; }

    /// <summary>A client certificate of the same authority and subject, but not the one bound.</summary>
    public PemPair OtherCertificate { get; }

    /// <summary>A client certificate of <see cref="Stranger"/>.</summary>
    public PemPair StrangerCertificate { get; }

    /// <summary>The hub.</summary>
    public RestartableHubProcess Hub { get; }

    /// <summary>A development token from <c>dev-credentials.env</c>: <c>EBAKUL_TOKEN</c> (admin) or <c>EBAKUL_ETPP_TOKEN</c>.</summary>
    public string Token(string name = "EBAKUL_TOKEN") =>
        File.ReadLines(Path.Combine(_folder, "dev-credentials.env")).Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>A channel to the gRPC endpoint trusting <see cref="Pki"/>, presenting <paramref name="client"/> when given.</summary>
    public GrpcChannel Channel(PemPair? client = null) =>
        GrpcChannel.ForAddress(Hub.Address, new GrpcChannelOptions { HttpHandler = Pki.Handler(client?.Certificate), DisposeHttpClient = true });

    /// <inheritdoc />
    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Hub.StartAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Pki.Dispose();
        Stranger.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// TLS on both callers' endpoints: gRPC, JSON over HTTP/1.1 and HTTP/2 (ALPN), gRPC-Web and the dashboard over https, a
/// certificate renewed on disk served without a restart; and mutual TLS for e-TPP's calls.
/// </summary>
public sealed class TlsTests(TlsHubProcess tls) : IClassFixture<TlsHubProcess>
{
    [Fact]
    public async Task Grpc_health_and_a_call_answer_over_tls_to_a_channel_trusting_the_authority()
    {
        using var channel = tls.Channel();
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var kecamatan = await new RegionService.RegionServiceClient(channel).ListKecamatanAsync(
            new ListKecamatanRequest { RegencyCode = "35.22" }, Bearer(tls.Token()));
        Assert.NotEmpty(kecamatan.Kecamatan);

        // A client that does not trust the authority does not get past the handshake.
        using var untrusting = GrpcChannel.ForAddress(tls.Hub.Address);
        var refused = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(untrusting).CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Contains("SSL connection could not be established", refused.Status.DebugException?.ToString());
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Json_answers_over_tls_in_http_1_1_and_in_http_2_negotiated_by_alpn(string version)
    {
        using var http = new HttpClient(tls.Pki.Handler());
        using var request = new HttpRequestMessage(HttpMethod.Get, tls.Hub.HttpAddress + "/v1/regencies")
        {
            Version = Version.Parse(version), VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tls.Token());
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
        Assert.Contains("35.22", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Grpc_web_and_the_dashboard_answer_over_https()
    {
        using var http = new HttpClient(tls.Pki.Handler());
        // One gRPC-Web call: an empty HealthCheckRequest in one data frame; the answer ends with a trailer frame.
        using var call = new HttpRequestMessage(HttpMethod.Post, tls.Hub.HttpAddress + "/grpc.health.v1.Health/Check")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new MediaTypeHeaderValue("application/grpc-web") } },
        };
        using var answer = await http.SendAsync(call);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.StartsWith("application/grpc-web", answer.Content.Headers.ContentType?.MediaType);
        var body = await answer.Content.ReadAsByteArrayAsync();
        var message = HealthCheckResponse.Parser.ParseFrom(body.AsSpan(5, FrameLength(body, 1)));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, message.Status);
        Assert.Matches(@"grpc-status:\s*0\r\n", Encoding.ASCII.GetString(body, 5 + FrameLength(body, 1), body.Length - 5 - FrameLength(body, 1)));

        using var dashboard = await http.GetAsync(tls.Hub.HttpAddress + "/dashboard");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_certificate_renewed_on_disk_is_served_with_its_chain_from_the_next_handshake_without_a_restart()
    {
        var before = tls.Hub.ServerCertificate!;
        Assert.Equal(before.Sha256Thumbprint, await ServedThumbprintAsync(tls.Hub.HttpAddress));
        Assert.Equal(before.Sha256Thumbprint, await ServedThumbprintAsync(tls.Hub.Address));

        // The renewal comes from an intermediate authority, its certificate after the leaf in the file: the clients trust
        // the root alone and download nothing, so they accept it only if the hub sends the chain from the file.
        var renewed = tls.Pki.IssueServer("hub", throughIntermediate: true);
        Assert.NotEqual(before.Sha256Thumbprint, renewed.Sha256Thumbprint);
        Assert.Equal(renewed.Sha256Thumbprint, await ServedThumbprintAsync(tls.Hub.HttpAddress));
        Assert.Equal(renewed.Sha256Thumbprint, await ServedThumbprintAsync(tls.Hub.Address));
        Assert.True(tls.Hub.IsRunning);
        using var channel = tls.Channel();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task E_tpps_calls_need_the_client_certificate_bound_to_it_and_refusals_say_why()
    {
        var request = new ListAdjustmentsRequest { RegencyCode = "35.22", Period = "2025-09" };
        var etpp = Bearer(tls.Token("EBAKUL_ETPP_TOKEN"));
        foreach (var (client, reason) in new (PemPair?, string)[]
        {
            (null, "CLIENT_CERTIFICATE_MISSING"),
            (tls.OtherCertificate, "CLIENT_CERTIFICATE_MISMATCH"),
            (tls.StrangerCertificate, "CLIENT_CERTIFICATE_UNTRUSTED"),
        })
        {
            using var channel = tls.Channel(client);
            var status = await RpcAssert.Expect(StatusCode.PermissionDenied,
                () => new PayrollService.PayrollServiceClient(channel).ListAdjustmentsAsync(request, etpp).ResponseAsync);
            Assert.Equal(reason, status.Reason());
        }

        using (var bound = tls.Channel(tls.EtppCertificate))
        {
            var listed = await new PayrollService.PayrollServiceClient(bound).ListAdjustmentsAsync(request, etpp);
            Assert.Empty(listed.Adjustments);
        }
        // Other callers need no certificate (the admin's calls above and here).
        using (var plain = tls.Channel())
            await new RegionService.RegionServiceClient(plain).ListRegenciesAsync(new ListRegenciesRequest(), Bearer(tls.Token()));
    }

    [Fact]
    public async Task E_tpps_json_calls_need_the_client_certificate_too()
    {
        var path = tls.Hub.HttpAddress + "/v1/regencies/35.22/adjustments?period=2025-09";
        foreach (var (client, expected) in new (PemPair?, HttpStatusCode)[] { (null, HttpStatusCode.Forbidden), (tls.EtppCertificate, HttpStatusCode.OK) })
        {
            using var http = new HttpClient(tls.Pki.Handler(client?.Certificate));
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tls.Token("EBAKUL_ETPP_TOKEN"));
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, body);
            if (expected == HttpStatusCode.Forbidden) Assert.Contains("CLIENT_CERTIFICATE_MISSING", body);
        }
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <summary>The length of a gRPC-Web frame: the big-endian 32 bits at <paramref name="offset"/>, after its flag byte.</summary>
    private static int FrameLength(byte[] frame, int offset) =>
        (frame[offset] << 24) | (frame[offset + 1] << 16) | (frame[offset + 2] << 8) | frame[offset + 3];

    /// <summary>The SHA-256 thumbprint of the certificate a new TLS connection to <paramref name="address"/> is served.</summary>
    private async Task<string> ServedThumbprintAsync(string address)
    {
        var uri = new Uri(address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        var options = tls.Pki.ClientOptions();
        options.TargetHost = uri.Host;
        options.ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        await ssl.AuthenticateAsClientAsync(options);
        return ssl.RemoteCertificate!.GetCertHashString(HashAlgorithmName.SHA256);
    }
}
