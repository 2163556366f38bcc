using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Grpc.Core;

namespace EBakul.Hub.Tests.Access;

/// <summary>
/// The e-TPP client certificate settings (<c>Access:EtppClientCertificates</c>, <c>Access:RequireEtppClientCertificate</c>)
/// on the in-process hub, whose calls carry no TLS connection: an unusable binding stops the start, a bound or required
/// e-TPP caller without a certificate is refused with the reason, an unbound one is served. (Over real TLS, with
/// certificates: EndToEnd/TlsTests.)
/// </summary>
public sealed class EtppClientCertificateSettingsTests
{
    private const string Thumbprint = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    [Theory]
    [InlineData("AB:CD", "must be a SHA-256 thumbprint")]
    [InlineData("CN=etpp.bojonegorokab.go.id", "set Access:ClientCertificateAuthorities too")]
    public void An_unusable_binding_stops_the_start_naming_the_setting(string binding, string expected)
    {
        using var hub = new HubFactory();
        hub.Settings["Access:EtppClientCertificates:etpp-bojonegoro"] = binding;
        var failure = Record.Exception(() => hub.Services);
        Assert.NotNull(failure);
        Assert.Contains("Access:EtppClientCertificates:etpp-bojonegoro", failure.ToString());
        Assert.Contains(expected, failure.ToString());
    }

    [Fact]
    public async Task A_bound_e_tpp_caller_without_a_certificate_is_refused_and_an_unbound_one_is_served()
    {
        using var hub = new HubFactory();
        hub.Settings["Access:EtppClientCertificates:etpp-bound"] = Thumbprint;
        var request = new ListAdjustmentsRequest { RegencyCode = "35.22", Period = "2025-09" };

        var bound = new PayrollService.PayrollServiceClient(hub.ChannelFor(EtppToken(hub, "etpp-bound")));
        var refused = await RpcAssert.Expect(StatusCode.PermissionDenied, () => bound.ListAdjustmentsAsync(request).ResponseAsync);
        Assert.Equal("CLIENT_CERTIFICATE_MISSING", refused.Reason());

        var unbound = new PayrollService.PayrollServiceClient(hub.ChannelFor(EtppToken(hub, "etpp-unbound")));
        Assert.Empty((await unbound.ListAdjustmentsAsync(request)).Adjustments);
    }

    [Fact]
    public async Task With_every_e_tpp_caller_required_to_present_one_an_unbound_caller_is_refused()
    {
        using var hub = new HubFactory();
        hub.Settings["Access:RequireEtppClientCertificate"] = "true";
        var unbound = new PayrollService.PayrollServiceClient(hub.ChannelFor(EtppToken(hub, "etpp-unbound")));
        var refused = await RpcAssert.Expect(StatusCode.PermissionDenied,
            () => unbound.ListAdjustmentsAsync(new ListAdjustmentsRequest { RegencyCode = "35.22", Period = "2025-09" }).ResponseAsync);
        Assert.Equal("CLIENT_CERTIFICATE_NOT_BOUND", refused.Reason());
    }

    private static string EtppToken(HubFactory hub, string id) => hub.IssueToken(new Caller
    {
        Id = id, DisplayName = id, Kind = CallerKind.Etpp, Scopes = $"{Scopes.PayrollPull} {Scopes.PayrollAcknowledge}", Regencies = "35.22",
        RateLimitPerSecond = 10_000,
    });
}

/// <summary>
/// <see cref="EtppClientCertificates"/> deciding on certificates of a test authority: a subject binding (as
/// <c>openssl -nameopt RFC2253</c> prints it) accepts any valid certificate of the authorities with that subject, a renewal
/// included, and refuses another subject, another authority's certificate and an expired one.
/// </summary>
public sealed class EtppClientCertificateBindingTests : IDisposable
{
    private const string Method = "/ebakul.payroll.v1.PayrollService/ListAdjustments";

    private readonly EBakul.EtppSimulator.Tests.Infrastructure.TestPki _pki = new();
    private readonly EBakul.EtppSimulator.Tests.Infrastructure.TestPki _stranger = new("Stranger CA");
    private readonly CallerIdentity _etpp = new("etpp-bojonegoro", CallerKind.Etpp,
        new HashSet<string> { Scopes.PayrollPull }, new HashSet<string> { "35.22" }, null);

    public void Dispose()
    {
        _pki.Dispose();
        _stranger.Dispose();
    }

    [Fact]
    public void A_subject_binding_accepts_the_authoritys_certificates_of_that_subject_and_refuses_others()
    {
        var certificates = new EtppClientCertificates(Microsoft.Extensions.Options.Options.Create(new AccessOptions
        {
            EtppClientCertificates = { ["etpp-bojonegoro"] = "CN=etpp.bojonegorokab.go.id,O=Pemkab Bojonegoro" },
            ClientCertificateAuthorities = _pki.AuthorityPath,
        }), TimeProvider.System);

        certificates.Require(_etpp, Method, _pki.IssueClient("etpp", "etpp.bojonegorokab.go.id, O=Pemkab Bojonegoro").Certificate);
        certificates.Require(_etpp, Method, _pki.IssueClient("etpp", "etpp.bojonegorokab.go.id, O=Pemkab Bojonegoro").Certificate);
        Assert.Equal("CLIENT_CERTIFICATE_MISMATCH", Refusal(certificates, _pki.IssueClient("other", "etpp.tuban.go.id, O=Pemkab Bojonegoro").Certificate));
        Assert.Equal("CLIENT_CERTIFICATE_UNTRUSTED",
            Refusal(certificates, _stranger.IssueClient("stranger", "etpp.bojonegorokab.go.id, O=Pemkab Bojonegoro").Certificate));
        Assert.Equal("CLIENT_CERTIFICATE_MISSING", Refusal(certificates, null));

        // Two days on, the certificate (valid for 12 hours) has expired.
        var later = new EtppClientCertificates(Microsoft.Extensions.Options.Options.Create(new AccessOptions
        {
            EtppClientCertificates = { ["etpp-bojonegoro"] = "CN=etpp.bojonegorokab.go.id,O=Pemkab Bojonegoro" },
            ClientCertificateAuthorities = _pki.AuthorityPath,
        }), new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(2)));
        Assert.Equal("CLIENT_CERTIFICATE_UNTRUSTED", Refusal(later, _pki.IssueClient("etpp", "etpp.bojonegorokab.go.id, O=Pemkab Bojonegoro").Certificate));
    }

    private string Refusal(EtppClientCertificates certificates, System.Security.Cryptography.X509Certificates.X509Certificate2? presented)
    {
        var refused = Assert.Throws<Errors.HubException>(() => certificates.Require(_etpp, Method, presented));
        return refused.Reason;
    }
}
