using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>Admins close months and watch deliveries; only e-TPP pulls and acknowledges.</summary>
public sealed class PayrollAccessTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public PayrollAccessTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private PayrollService.PayrollServiceClient ClientFor(string id, CallerKind kind, string scopes, string regencies = Regency) =>
        new(_hub.ChannelFor(_hub.IssueToken(new Caller
        {
            Id = id, DisplayName = id, Kind = kind, Scopes = scopes, Regencies = regencies, RateLimitPerSecond = 10_000,
        })));

    [Fact]
    public async Task An_admin_with_payroll_admin_closes_and_sees_deliveries_but_cannot_pull_or_acknowledge()
    {
        var p = await _arrange.SeptemberAsync();
        var bkd = ClientFor("bkd", CallerKind.Admin, Scopes.PayrollAdmin);

        var closed = await bkd.ClosePeriodAsync(new ClosePeriodRequest { RequestId = "close-1", RegencyCode = Regency, Period = September });
        Assert.Equal((4, "bkd"), (closed.AdjustmentsCreated, closed.Period.ClosedBy));
        Assert.Equal(closed.Period, (await bkd.GetPeriodAsync(new GetPeriodRequest { RegencyCode = Regency, Period = September })).Period);
        var deliveries = await bkd.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest { RegencyCode = Regency, Period = September });
        Assert.Equal(p.NonCompliant, deliveries.Adjustments.Select(a => a.Nip));

        var list = await RpcAssert.Expect(StatusCode.PermissionDenied, () => bkd.ListAdjustmentsAsync(
            new ListAdjustmentsRequest { RegencyCode = Regency, Period = September }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", list.Reason());
        var stream = await RpcAssert.Expect(StatusCode.PermissionDenied, async () =>
        {
            using var call = bkd.StreamAdjustments(new StreamAdjustmentsRequest { RegencyCode = Regency });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Equal("SCOPE_MISSING", stream.Reason());
        var ack = await RpcAssert.Expect(StatusCode.PermissionDenied, () => bkd.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = "ack-1", RegencyCode = Regency,
            Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = Key(p.Short, September, 1), EtppReference = "ETPP-1" } },
        }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", ack.Reason());

        var opened = await bkd.OpenCorrectionAsync(new OpenCorrectionRequest { RequestId = "c-1", RegencyCode = Regency, Period = September, Reason = "audit" });
        Assert.Equal(PeriodStatus.Correcting, opened.Period.Status);
        Assert.All(await _arrange.AdjustmentsAsync(September), a => Assert.Equal(DeliveryState.Pending, a.DeliveryState));
    }

    [Fact]
    public async Task E_tpp_pulls_and_acknowledges_but_cannot_close_or_see_the_admin_views()
    {
        var p = await _arrange.SeptemberAsync();
        var etpp = ClientFor("etpp-bojonegoro", CallerKind.Etpp, $"{Scopes.PayrollPull} {Scopes.PayrollAcknowledge}");

        var close = await RpcAssert.Expect(StatusCode.PermissionDenied, () => etpp.ClosePeriodAsync(
            new ClosePeriodRequest { RequestId = "close-1", RegencyCode = Regency, Period = September }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", close.Reason());
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(September)).Status);

        await _arrange.CloseAsync(September);
        Assert.Equal("SCOPE_MISSING", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => etpp.ListAdjustmentDeliveriesAsync(
            new ListAdjustmentDeliveriesRequest { RegencyCode = Regency, Period = September }).ResponseAsync)).Reason());
        Assert.Equal("SCOPE_MISSING", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => etpp.OpenCorrectionAsync(
            new OpenCorrectionRequest { RequestId = "c-1", RegencyCode = Regency, Period = September, Reason = "r" }).ResponseAsync)).Reason());

        var pulled = await etpp.ListAdjustmentsAsync(new ListAdjustmentsRequest { RegencyCode = Regency, Period = September });
        Assert.Equal(p.NonCompliant, pulled.Adjustments.Select(a => a.Nip));
        var acked = await etpp.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = "ack-1", RegencyCode = Regency,
            Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = pulled.Adjustments[0].IdempotencyKey, EtppReference = "ETPP-1" } },
        });
        Assert.Equal(AcknowledgeOutcome.Acknowledged, acked.Results[0].Outcome);

        // An e-TPP of another regency is kept out of Bojonegoro.
        var tuban = ClientFor("etpp-tuban", CallerKind.Etpp, $"{Scopes.PayrollPull} {Scopes.PayrollAcknowledge}", HubFactory.OtherRegencyCode);
        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.ListAdjustmentsAsync(
            new ListAdjustmentsRequest { RegencyCode = Regency, Period = September }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_ALLOWED", denied.Reason());
        Assert.Equal("REGENCY_NOT_ALLOWED", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = "ack-2", RegencyCode = Regency,
            Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = pulled.Adjustments[1].IdempotencyKey, EtppReference = "ETPP-2" } },
        }).ResponseAsync)).Reason());
        Assert.Equal(DeliveryState.Pending, (await _arrange.AdjustmentsAsync(September))[1].DeliveryState);
    }
}
