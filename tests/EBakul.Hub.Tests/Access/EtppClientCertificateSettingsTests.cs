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
