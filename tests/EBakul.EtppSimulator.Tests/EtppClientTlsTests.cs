using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.EtppPush;

namespace EBakul.EtppSimulator.Tests;

/// <summary>
/// The hub's client and the simulator over TLS with mutual TLS: the client trusts the authority named by
/// <c>EtppPush:ServerCertificateAuthorities</c> and presents <c>EtppPush:ClientCertificate</c>; the simulator serves its
/// PEM certificate and requires a client certificate of the authority it is given.
/// </summary>
public sealed class EtppClientTlsTests
{
    [Fact]
    public async Task A_push_over_mutual_tls_is_applied()
    {
        using var pki = new TestPki();
        await using var sim = await RunningSimulator.StartAsync(pki);
        Assert.Equal("https", sim.BaseAddress.Scheme);
        var adjustment = Adjustments.For(Adjustments.NewNip());

        Assert.IsType<EtppPushResult.Applied>(await sim.CreateClient().PushAsync(adjustment));
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);
    }

    [Fact]
    public async Task Without_the_client_certificate_or_with_another_authoritys_nothing_reaches_e_tpp_and_the_push_is_a_connection_failure()
    {
        using var pki = new TestPki();
        using var stranger = new TestPki("Stranger CA");
        await using var sim = await RunningSimulator.StartAsync(pki);
        var strangerCertificate = stranger.IssueClient("stranger", "ebakul-hub");
        var adjustment = Adjustments.For(Adjustments.NewNip());

        foreach (var configure in new Action<Dictionary<string, string?>>[]
        {
            settings => { settings.Remove("EtppPush:ClientCertificate:Path"); settings.Remove("EtppPush:ClientCertificate:KeyPath"); },
            settings =>
            {
                settings["EtppPush:ClientCertificate:Path"] = strangerCertificate.CertificatePath;
                settings["EtppPush:ClientCertificate:KeyPath"] = strangerCertificate.KeyPath;
            },
            // The client trusting another authority than the simulator's refuses the simulator's certificate.
            settings => settings["EtppPush:ServerCertificateAuthorities"] = stranger.AuthorityPath,
        })
        {
            var failure = Assert.IsType<EtppPushResult.TransientFailure>(await sim.CreateClient(settings: configure).PushAsync(adjustment));
            Assert.Equal(EtppFailureKind.ConnectionFailed, failure.Kind);
        }
        Assert.DoesNotContain((await sim.ListAsync()).Adjustments, a => a.Key == adjustment.Key);
    }
}
