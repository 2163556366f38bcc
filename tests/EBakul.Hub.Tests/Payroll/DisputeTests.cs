using EBakul.Audit.V1;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.EtppPush;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Payroll.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// A disputed adjustment never reaches e-TPP unresolved: it is held on the push and the pull side until a resolver
/// rejects the dispute (it goes as computed) or accepts it (the month is reopened and a new revision replaces it), or
/// until the cut-off, where the configured default applies. Every step is idempotent, audited and bound to the office.
/// </summary>
public sealed class DisputeTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public DisputeTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private PayrollService.PayrollServiceClient Admin => _arrange.Payroll;

    private static FileDisputeRequest Filing(string key, string? requestId = null) => new()
    {
        RequestId = requestId ?? TestData.RequestId(), RegencyCode = Regency, AdjustmentKey = key,
        Reason = DisputeReason.PurchaseMissing, Text = "nota 25 September di Warung Bu Sri belum tercatat",
        EvidenceReferences = { "NT-0925-17" },
    };

    private static ResolveDisputeRequest Decision(string disputeId, DisputeDecision decision, string? requestId = null) => new()
    {
        RequestId = requestId ?? TestData.RequestId(), RegencyCode = Regency, DisputeId = disputeId, Decision = decision,
        Text = decision == DisputeDecision.Accept ? "nota asli diperiksa Inspektorat" : "nota tidak dapat dibuktikan",
    };

    private async Task<Adjustment> AdjustmentOfAsync(string nip, int revision = 1) =>
        (await _arrange.AdjustmentsAsync(September)).Single(a => a.Nip == nip && a.Revision == revision);

    [Fact]
    public async Task An_open_dispute_holds_the_adjustment_on_the_pull_side_until_it_is_rejected()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var key = Key(p.Short, September, 1);

        var filed = (await Admin.FileDisputeAsync(Filing(key))).Dispute;

        Assert.Equal((DisputeState.Open, key, p.Short, Health, September, "NT-0925-17"),
            (filed.State, filed.AdjustmentKey, filed.Nip, filed.OfficeCode, filed.Period, filed.EvidenceReferences.Single()));
        Assert.Equal(HubFactory.DefaultNow.AddDays(7), filed.CutoffTime.ToDateTimeOffset());
        var held = await AdjustmentOfAsync(p.Short);
        Assert.Equal((true, filed.DisputeId), (held.Held, held.DisputeId));
        Assert.False((await AdjustmentOfAsync(p.Capped)).Held);
        var refused = Assert.Single((await _arrange.AcknowledgeAsync(null, (key, "ETPP-1"))).Results);
        Assert.Equal((AcknowledgeOutcome.Rejected, "ADJUSTMENT_HELD"), (refused.Outcome, refused.Reason));

        var rejected = (await Admin.ResolveDisputeAsync(Decision(filed.DisputeId, DisputeDecision.Reject))).Dispute;

        Assert.Equal(DisputeState.Rejected, rejected.State);
        Assert.NotEmpty(rejected.ResolvedBy);
        Assert.False((await AdjustmentOfAsync(p.Short)).Held);
        Assert.Equal(AcknowledgeOutcome.Acknowledged, Assert.Single((await _arrange.AcknowledgeAsync(null, (key, "ETPP-1"))).Results).Outcome);
        Assert.Equal(PeriodStatus.Closed, (await _arrange.PeriodAsync(September)).Status);

        var events = (await new AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(
            new ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events;
        Assert.Contains(events, e => e.Method == "/ebakul.payroll.v1.PayrollService/FileDispute");
        Assert.Contains(events, e => e.Method == "/ebakul.payroll.v1.PayrollService/ResolveDispute");
    }

    [Fact]
    public async Task An_accepted_dispute_reopens_the_month_and_the_next_close_replaces_the_held_revision()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var shortKey = Key(p.Short, September, 1);
        var cappedKey = Key(p.Capped, September, 1);
        var onShort = (await Admin.FileDisputeAsync(Filing(shortKey))).Dispute;
        var onCapped = (await Admin.FileDisputeAsync(Filing(cappedKey))).Dispute;

        _hub.Clock.Set(Wib(2025, 10, 17, 9));
        await Admin.ResolveDisputeAsync(Decision(onShort.DisputeId, DisputeDecision.Accept));
        Assert.Equal(PeriodStatus.Correcting, (await _arrange.PeriodAsync(September)).Status);
        // The Inspektorat found the nota: recorded late, in the reopened month. Capped's dispute is accepted with no
        // change found: its month is decided again all the same.
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 50_000, Wib(2025, 9, 25));
        await Admin.ResolveDisputeAsync(Decision(onCapped.DisputeId, DisputeDecision.Accept));
        var corrected = await _arrange.CloseAsync(September);

        Assert.Equal(2, corrected.AdjustmentsCreated);
        var shortR1 = await AdjustmentOfAsync(p.Short, 1);
        var shortR2 = await AdjustmentOfAsync(p.Short, 2);
        Assert.Equal((true, Key(p.Short, September, 2)), (shortR1.Held, shortR1.SupersededByKey));
        Assert.Equal((false, 150_000L, shortKey), (shortR2.Held, shortR2.TppCorrectionRupiah, shortR2.SupersedesKey));
        var cappedR2 = await AdjustmentOfAsync(p.Capped, 2);
        Assert.Equal((false, 150_000L), (cappedR2.Held, cappedR2.TppCorrectionRupiah));
        Assert.Equal(AcknowledgeOutcome.Rejected, Assert.Single((await _arrange.AcknowledgeAsync(null, (shortKey, "ETPP-1"))).Results).Outcome);
        Assert.Equal(AcknowledgeOutcome.Acknowledged,
            Assert.Single((await _arrange.AcknowledgeAsync(null, (shortR2.IdempotencyKey, "ETPP-2"))).Results).Outcome);

        // A revision is disputed once, a delivered one no more; the new undelivered one can be, by its own key.
        await RpcAssert.Expect(StatusCode.AlreadyExists, () => Admin.FileDisputeAsync(Filing(shortKey)).ResponseAsync);
        Assert.Equal("ADJUSTMENT_DELIVERED", (await RpcAssert.Expect(StatusCode.FailedPrecondition,
            () => Admin.FileDisputeAsync(Filing(shortR2.IdempotencyKey)).ResponseAsync)).Reason());
        Assert.Equal(DisputeState.Open, (await Admin.FileDisputeAsync(Filing(cappedR2.IdempotencyKey))).Dispute.State);
    }

    [Fact]
    public async Task Wrong_transitions_fail_the_precondition_and_a_retry_gets_the_first_answer()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var key = Key(p.Short, September, 1);

        var first = (await Admin.FileDisputeAsync(Filing(key, "dispute-1"))).Dispute;
        var replay = (await Admin.FileDisputeAsync(Filing(key, "dispute-1"))).Dispute;
        Assert.Equal(first, replay);
        var again = await RpcAssert.Expect(StatusCode.AlreadyExists, () => Admin.FileDisputeAsync(Filing(key)).ResponseAsync);
        Assert.Equal("DISPUTE_EXISTS", again.Reason());

        await Admin.ResolveDisputeAsync(Decision(first.DisputeId, DisputeDecision.Reject, "decide-1"));
        Assert.Equal(DisputeState.Rejected, (await Admin.ResolveDisputeAsync(Decision(first.DisputeId, DisputeDecision.Reject, "decide-1"))).Dispute.State);
        var twice = await RpcAssert.Expect(StatusCode.FailedPrecondition,
            () => Admin.ResolveDisputeAsync(Decision(first.DisputeId, DisputeDecision.Accept)).ResponseAsync);
        Assert.Equal("DISPUTE_ALREADY_RESOLVED", twice.Reason());

        // Delivered adjustments, unknown keys and disputes, and bad requests.
        var cappedKey = Key(p.Capped, September, 1);
        await _arrange.AcknowledgeAsync(null, (cappedKey, "ETPP-9"));
        Assert.Equal("ADJUSTMENT_DELIVERED",
            (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Admin.FileDisputeAsync(Filing(cappedKey)).ResponseAsync)).Reason());
        await RpcAssert.Expect(StatusCode.NotFound, () => Admin.FileDisputeAsync(Filing("35.22:199001012015011999:2025-09:r1")).ResponseAsync);
        await RpcAssert.Expect(StatusCode.NotFound, () => Admin.GetDisputeAsync(new GetDisputeRequest { RegencyCode = Regency, DisputeId = "nope" }).ResponseAsync);
        await RpcAssert.ExpectInvalid("reason", () => Admin.FileDisputeAsync(new FileDisputeRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, AdjustmentKey = Key(p.Nothing, September, 1), Text = "x",
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("decision", () => Admin.ResolveDisputeAsync(new ResolveDisputeRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, DisputeId = first.DisputeId, Text = "x",
        }).ResponseAsync);

        // After the cut-off nothing new may be filed, and (released at the cut-off) an open dispute has lapsed.
        var late = (await Admin.FileDisputeAsync(Filing(Key(p.Nothing, September, 1)))).Dispute;
        _hub.Clock.Set(HubFactory.DefaultNow.AddDays(7));
        Assert.Equal("DISPUTE_CUTOFF_PASSED",
            (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Admin.FileDisputeAsync(Filing(Key(p.Prorated, September, 1))).ResponseAsync)).Reason());
        Assert.Equal(DisputeState.Lapsed, (await Admin.GetDisputeAsync(new GetDisputeRequest { RegencyCode = Regency, DisputeId = late.DisputeId })).Dispute.State);
        Assert.False((await AdjustmentOfAsync(p.Nothing)).Held);
        Assert.Equal("DISPUTE_LAPSED", (await RpcAssert.Expect(StatusCode.FailedPrecondition,
            () => Admin.ResolveDisputeAsync(Decision(late.DisputeId, DisputeDecision.Accept)).ResponseAsync)).Reason());
    }

    [Fact]
    public async Task An_office_disputes_and_sees_only_its_own_adjustments_and_cannot_decide()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var health = new PayrollService.PayrollServiceClient(OfficeChannel(Health));
        var education = new PayrollService.PayrollServiceClient(OfficeChannel(Education));

        var own = (await health.FileDisputeAsync(Filing(Key(p.Short, September, 1)))).Dispute;
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => health.FileDisputeAsync(Filing(Key(p.Capped, September, 1))).ResponseAsync);
        await RpcAssert.Expect(StatusCode.NotFound,
            () => education.GetDisputeAsync(new GetDisputeRequest { RegencyCode = Regency, DisputeId = own.DisputeId }).ResponseAsync);
        Assert.Empty((await education.ListDisputesAsync(new ListDisputesRequest { RegencyCode = Regency, Period = September })).Disputes);
        Assert.Equal(own.DisputeId, Assert.Single((await health.ListDisputesAsync(new ListDisputesRequest { RegencyCode = Regency, Period = September })).Disputes).DisputeId);
        await RpcAssert.Expect(StatusCode.PermissionDenied,
            () => health.ResolveDisputeAsync(Decision(own.DisputeId, DisputeDecision.Accept)).ResponseAsync);
        Assert.Equal(DisputeState.Open, (await Admin.GetDisputeAsync(new GetDisputeRequest { RegencyCode = Regency, DisputeId = own.DisputeId })).Dispute.State);
    }

    [Fact]
    public async Task A_disputed_adjustment_is_not_pushed_until_it_is_decided_while_the_others_go_after_the_window()
    {
        await using var rig = await PushRig.StartAsync(tune: s =>
        {
            s["Payroll:Disputes:Window"] = "00:00:04";
            s["Payroll:Disputes:HoldUntilCutoff"] = "true";
            s["Payroll:Disputes:AtCutoff"] = "Keep";
        });
        var nips = await rig.EmployeesAsync(3);
        await rig.CloseAsync(3);
        var disputed = nips[1];
        var filed = (await rig.Payroll.FileDisputeAsync(new FileDisputeRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency, AdjustmentKey = $"{PushRig.Regency}:{disputed}:{PushRig.Month}:r1",
            Reason = DisputeReason.RosterWrong, Text = "cuti besar sejak 1 September",
        })).Dispute;
        Assert.Empty((await rig.Etpp.ListAsync()).Adjustments); // nothing goes before the window ends

        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys == 2, "e-TPP applied the two undisputed adjustments");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a few more dispatcher rounds
        Assert.DoesNotContain((await rig.Etpp.ListAsync()).Adjustments, s => s.Key.Contains(disputed, StringComparison.Ordinal));
        Assert.True((await rig.DeliveriesAsync()).Single(a => a.Nip == disputed).Held);

        await rig.Payroll.ResolveDisputeAsync(new ResolveDisputeRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency, DisputeId = filed.DisputeId, Decision = DisputeDecision.Reject,
            Text = "tercatat aktif oleh BKD",
        });

        await PushRig.UntilAsync(rig.Etpp.ListAsync, l => l.AppliedKeys == 3, "e-TPP applied the rejected dispute's adjustment");
        await rig.AssertOutcomeAsync(await rig.SettledAsync(), nips);
    }

    private GrpcChannel OfficeChannel(string office) => _hub.ChannelFor(_hub.IssueToken(new Caller
    {
        Id = $"opd-{office}", DisplayName = office, Kind = CallerKind.OfficeSystem, Regencies = Regency, OfficeCode = office,
        Scopes = $"{Scopes.DisputesFile} {Scopes.DisputesRead}", RateLimitPerSecond = 10_000,
    }));
}
