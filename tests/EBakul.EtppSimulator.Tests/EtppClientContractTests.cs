using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.Domain;
using EBakul.Hub.EtppPush;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EBakul.EtppSimulator.Tests;

/// <summary>The answers of the contract, without faults, as the hub's client classifies them.</summary>
public sealed class EtppClientContractTests
{
    [Fact]
    public async Task A_push_is_applied_and_its_retry_is_a_duplicate_with_the_same_reference()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());

        var first = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));
        var second = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.False(string.IsNullOrWhiteSpace(first.EtppReference));
        Assert.Equal(first.EtppReference, second.EtppReference);
        Assert.Equal(first.AppliedAt, second.AppliedAt);

        var state = await sim.StateAsync(adjustment.Key);
        Assert.Equal((2, 1, first.EtppReference), (state.Attempts, state.AppliedCount, state.EtppReference));
        Assert.Equal(180_000, state.Adjustment!.TppCorrectionRupiah);
        Assert.Equal("DEDUCT_SHORTFALL", state.Adjustment.Sanction);
    }

    [Fact]
    public async Task The_same_key_with_a_different_payload_is_a_permanent_conflict_and_changes_nothing()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        var applied = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));

        var changed = adjustment with { OfficeCode = "4.02.01" };
        var conflict = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(changed));

        Assert.Equal((409, "IDEMPOTENCY_KEY_REUSED"), (conflict.HttpStatus, conflict.Code));
        var state = await sim.StateAsync(adjustment.Key);
        Assert.Equal((1, "4.01.01", applied.EtppReference), (state.AppliedCount, state.Adjustment!.OfficeCode, state.EtppReference));
    }

    [Fact]
    public async Task An_idempotency_header_that_differs_from_the_body_key_is_permanent()
    {
        await using var sim = await RunningSimulator.StartAsync();
        // Something between the hub and e-TPP rewrites the header.
        var client = sim.CreateClient(configure: http => http.AddHttpMessageHandler(() => new HeaderRewriter("35.22:199001012015011002:2025-09:r1")));
        var adjustment = Adjustments.For(Adjustments.NewNip());

        var rejection = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(adjustment));

        Assert.Equal((400, "IDEMPOTENCY_KEY_MISMATCH"), (rejection.HttpStatus, rejection.Code));
        Assert.Equal(0, (await sim.ListAsync()).AppliedKeys);
    }

    [Fact]
    public async Task An_unknown_nip_and_a_locked_month_are_permanent_rejections()
    {
        var unknownNip = Adjustments.NewNip();
        await using var sim = await RunningSimulator.StartAsync(("RejectNips:0", unknownNip), ("LockedPeriods:0", "2025-08"));
        var client = sim.CreateClient();

        var unknown = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(Adjustments.For(unknownNip)));
        Assert.Equal((422, "NIP_UNKNOWN"), (unknown.HttpStatus, unknown.Code));
        Assert.Contains(unknownNip, unknown.Message);

        var nip = Adjustments.NewNip();
        var august = Adjustments.For(nip) with { Period = "2025-08", Key = EtppAdjustment.KeyOf("35.22", nip, new Period(2025, 8), 1) };
        var locked = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(august));
        Assert.Equal((422, "PERIOD_LOCKED"), (locked.HttpStatus, locked.Code));

        Assert.Equal(0, (await sim.ListAsync()).AppliedKeys);
    }

    [Fact]
    public async Task Rejections_can_be_changed_while_running()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var nip = Adjustments.NewNip();
        using (var put = await sim.Control.PutAsync("_sim/rejections",
                   new StringContent($$"""{"reject_nips":["{{nip}}"]}""", System.Text.Encoding.UTF8, "application/json")))
            put.EnsureSuccessStatusCode();

        var rejected = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(Adjustments.For(nip)));
        Assert.Equal("NIP_UNKNOWN", rejected.Code);
    }

    [Fact]
    public async Task An_adjustment_that_breaks_the_contract_is_a_permanent_bad_request()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());

        var wrongAmount = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(adjustment with { TppCorrectionRupiah = 1 }));
        var keyNotDerived = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(adjustment with { Revision = 2 }));
        var shortNip = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(adjustment with { Nip = "1985", Key = "35.22:1985:2025-09:r1" }));

        Assert.All([wrongAmount, keyNotDerived, shortNip], r => Assert.Equal((400, "INVALID_ADJUSTMENT"), (r.HttpStatus, r.Code)));
        Assert.Contains("tpp_correction_rupiah", wrongAmount.Message);
        Assert.Contains("nip", shortNip.Message);
        Assert.Equal(0, (await sim.ListAsync()).AppliedKeys);
    }

    [Fact]
    public async Task A_body_without_tpp_ceiling_is_held_to_the_first_contract()
    {
        // Senders of the first contract carry no tpp_ceiling_rupiah: their DEDUCT_SHORTFALL correction equals the
        // shortfall, and is applied as such; one that differs from it is refused.
        await using var sim = await RunningSimulator.StartAsync();
        var nip = Adjustments.NewNip();
        var key = EtppAdjustment.KeyOf("35.22", nip, Adjustments.September, 1);
        string Body(long correction) => $$"""
            {"key":"{{key}}","regency_code":"35.22","nip":"{{nip}}","office_code":"4.01.01","period":"2025-09","revision":1,
             "policy_version":3,"required_rupiah":300000,"counted_rupiah":120000,"shortfall_rupiah":180000,
             "sanction":"DEDUCT_SHORTFALL","tpp_correction_rupiah":{{correction}},"supersedes_key":null}
            """;
        async Task<int> PostAsync(long correction)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TppAdjustmentEndpoints.Path.TrimStart('/'))
            {
                Content = new StringContent(Body(correction), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(TppAdjustmentEndpoints.IdempotencyKeyHeader, key);
            using var response = await sim.Control.SendAsync(request);
            return (int)response.StatusCode;
        }

        Assert.Equal(400, await PostAsync(150_000));
        Assert.Equal(0, (await sim.ListAsync()).AppliedKeys);
        Assert.InRange(await PostAsync(180_000), 200, 201);
        var state = await sim.StateAsync(key);
        Assert.Equal((1, 180_000L), (state.AppliedCount, state.Adjustment!.TppCorrectionRupiah));
    }

    [Fact]
    public async Task A_later_revision_replaces_the_earlier_one_which_cannot_be_applied_after_it()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var nip = Adjustments.NewNip();
        var otherNip = Adjustments.NewNip();

        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(Adjustments.Revision(nip, 1)));
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(Adjustments.Revision(nip, 2, counted: 300_000)));
        Assert.Equal(Adjustments.Revision(nip, 2).Key, (await sim.StateAsync(Adjustments.Revision(nip, 1).Key)).SupersededBy);

        // Revision 2 overtook revision 1 (e.g. revision 1 was stuck in retries): revision 1 must not undo it.
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(Adjustments.Revision(otherNip, 2)));
        var late = Assert.IsType<EtppPushResult.PermanentRejection>(await client.PushAsync(Adjustments.Revision(otherNip, 1)));
        Assert.Equal((422, "REVISION_SUPERSEDED"), (late.HttpStatus, late.Code));
    }

    [Fact]
    public async Task Concurrent_pushes_of_one_adjustment_apply_it_once()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PushAsync(adjustment)));

        var applied = results.Select(r => Assert.IsType<EtppPushResult.Applied>(r)).ToList();
        Assert.Single(applied, a => !a.Duplicate);
        Assert.Single(applied.Select(a => a.EtppReference).Distinct());
        var state = await sim.StateAsync(adjustment.Key);
        Assert.Equal((8, 1), (state.Attempts, state.AppliedCount));
    }

    [Fact]
    public async Task Lookup_tells_applied_from_never_applied()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        var pushed = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));

        var found = Assert.IsType<EtppLookupResult.Applied>(await client.LookupAsync(adjustment.Key));
        Assert.Equal((pushed.EtppReference, pushed.AppliedAt), (found.EtppReference, found.AppliedAt));
        Assert.IsType<EtppLookupResult.NotApplied>(await client.LookupAsync(Adjustments.For(Adjustments.NewNip()).Key));

        await sim.SetFaultsAsync(new { transient_error_rate = 1.0 });
        var unknown = Assert.IsType<EtppLookupResult.Unknown>(await client.LookupAsync(adjustment.Key));
        Assert.Equal(EtppFailureKind.Unavailable, unknown.Failure.Kind);
    }

    [Fact]
    public async Task A_status_the_contract_does_not_define_is_transient()
    {
        await using var sim = await RunningSimulator.StartAsync();
        // A gateway routing to the wrong place answers 404: not e-TPP's verdict on the adjustment.
        var client = sim.CreateClient(baseAddress: new Uri(sim.BaseAddress, "elsewhere/"));

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(Adjustments.For(Adjustments.NewNip())));

        Assert.Equal((EtppFailureKind.UnexpectedStatus, 404), (failure.Kind, failure.HttpStatus));
        Assert.Empty((await sim.ListAsync()).Adjustments);
    }

    [Fact]
    public async Task A_refused_connection_is_transient_and_caller_cancellation_throws()
    {
        Uri closed;
        await using (var stopped = await RunningSimulator.StartAsync()) closed = stopped.BaseAddress;
        await using var sim = await RunningSimulator.StartAsync();

        var refused = Assert.IsType<EtppPushResult.TransientFailure>(
            await sim.CreateClient(baseAddress: closed).PushAsync(Adjustments.For(Adjustments.NewNip())));
        Assert.Equal(EtppFailureKind.ConnectionFailed, refused.Kind);

        await sim.SetFaultsAsync(new { latency_ms = 30_000 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sim.CreateClient().PushAsync(Adjustments.For(Adjustments.NewNip()), cancel.Token));
    }

    [Fact]
    public void The_client_needs_an_absolute_base_address()
    {
        var services = new ServiceCollection();
        services.AddEtppClient(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<EtppClient>());
        Assert.Contains("EtppPush:BaseAddress", error.Message);
    }

    private sealed class HeaderRewriter(string key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(EtppClient.IdempotencyKeyHeader);
            request.Headers.Add(EtppClient.IdempotencyKeyHeader, key);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
