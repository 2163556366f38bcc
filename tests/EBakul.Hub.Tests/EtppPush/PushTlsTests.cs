using EBakul.EtppSimulator.Tests.Infrastructure;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>
/// The hub's dispatcher pushing into e-TPP over TLS with mutual TLS (e-TPP serves a certificate of a test authority and
/// requires the hub's client certificate of the same authority), through the same faults as in cleartext.
/// </summary>
[Collection(PushTestCollection.Name)]
public sealed class PushTlsTests
{
    [Fact]
    public async Task Over_mutual_tls_with_transient_errors_every_adjustment_is_applied_once()
    {
        using var pki = new TestPki();
        using var metrics = new PushMetrics();
        await using var rig = await PushRig.StartAsync(new
        {
            seed = 34,
            transient_error_rate = 0.15,
            transient_error_after_apply_rate = 0.15,
            transient_error_statuses = new[] { 500, 503 },
        }, tls: pki);
        Assert.Equal("https", rig.Etpp.BaseAddress.Scheme);
        var nips = await rig.EmployeesAsync(12);
        await rig.CloseAsync(12);

        var settled = await rig.SettledAsync();

        await rig.AssertOutcomeAsync(settled, nips);
        Assert.True(metrics["ebakul.etpp.push.retries"] >= 1, "no attempt was retried");
    }
}
