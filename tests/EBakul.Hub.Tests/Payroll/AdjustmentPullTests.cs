using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>e-TPP's pull: the paged list, the resumable stream and acknowledgements; the admins' view of deliveries.</summary>
public sealed class AdjustmentPullTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public AdjustmentPullTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private PayrollService.PayrollServiceClient Client => _arrange.Payroll;

    private async Task<(SeptemberPeople People, List<Adjustment> Adjustments)> ClosedSeptemberAsync()
    {
        var people = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        return (people, await _arrange.AdjustmentsAsync(September));
    }

    [Fact]
    public async Task The_list_pages_in_creation_order_with_tokens_bound_to_its_filters()
    {
        var (p, all) = await ClosedSeptemberAsync();
        Assert.Equal(p.NonCompliant, all.Select(a => a.Nip));

        var first = await Client.ListAdjustmentsAsync(new ListAdjustmentsRequest { RegencyCode = Regency, Period = September, PageSize = 3 });
        Assert.Equal(all.Take(3), first.Adjustments);
        Assert.NotEmpty(first.NextPageToken);
        var second = await Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = September, PageSize = 3, PageToken = first.NextPageToken,
        });
        Assert.Equal(all.Skip(3), second.Adjustments);
        Assert.Equal("", second.NextPageToken);

        // Exactly full pages end without an empty extra page; one per page gives the same sequence.
        Assert.Equal(all, await _arrange.AdjustmentsAsync(September, pageSize: 2));
        Assert.Equal(all, await _arrange.AdjustmentsAsync(September, pageSize: 1));
        var whole = await Client.ListAdjustmentsAsync(new ListAdjustmentsRequest { RegencyCode = Regency, Period = September, PageSize = 4 });
        Assert.Equal((4, ""), (whole.Adjustments.Count, whole.NextPageToken));

        // A token only works with the filters it was issued for (page size may change).
        await RpcAssert.ExpectInvalid("page_token", () => Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = September, DeliveryState = DeliveryState.Pending, PageSize = 3, PageToken = first.NextPageToken,
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_token", () => Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = October, PageSize = 3, PageToken = first.NextPageToken,
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_token", () => Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = September, PageToken = "not-a-token",
        }).ResponseAsync);
        var resized = await Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = September, PageSize = 10, PageToken = first.NextPageToken,
        });
        Assert.Equal(all.Skip(3), resized.Adjustments);

        foreach (var size in new[] { -1, 1001 })
            await RpcAssert.ExpectInvalid("page_size", () => Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
            {
                RegencyCode = Regency, Period = September, PageSize = size,
            }).ResponseAsync);
        await RpcAssert.ExpectInvalid("delivery_state", () => Client.ListAdjustmentsAsync(new ListAdjustmentsRequest
        {
            RegencyCode = Regency, Period = September, DeliveryState = (DeliveryState)99,
        }).ResponseAsync);

        // Another month and another regency have none.
        Assert.Empty(await _arrange.AdjustmentsAsync("2025-08"));
        Assert.Empty((await Client.ListAdjustmentsAsync(new ListAdjustmentsRequest { RegencyCode = HubFactory.OtherRegencyCode, Period = September })).Adjustments);
    }

    [Fact]
    public async Task The_list_filters_by_delivery_state()
    {
        var (p, all) = await ClosedSeptemberAsync();
        await _arrange.AcknowledgeAsync(null, (Key(p.Capped, September, 1), "ETPP-1"), (Key(p.Prorated, September, 1), "ETPP-2"));

        var delivered = await _arrange.AdjustmentsAsync(September, DeliveryState.Delivered, pageSize: 1);
        Assert.Equal(all.Where(a => a.Nip == p.Capped || a.Nip == p.Prorated).Select(a => a.IdempotencyKey), delivered.Select(a => a.IdempotencyKey));
        Assert.All(delivered, a => Assert.Equal(DeliveryState.Delivered, a.DeliveryState));

        var pending = await _arrange.AdjustmentsAsync(September, DeliveryState.Pending, pageSize: 1);
        Assert.Equal(all.Where(a => a.Nip == p.Short || a.Nip == p.Nothing), pending);

        Assert.Empty(await _arrange.AdjustmentsAsync(September, DeliveryState.Parked));
        Assert.Empty(await _arrange.AdjustmentsAsync(September, DeliveryState.Delivering));
    }

    [Fact]
    public async Task The_stream_resumes_after_a_drop_without_missing_or_repeating()
    {
        var (_, september) = await ClosedSeptemberAsync();

        var whole = await _arrange.StreamAsync();
        Assert.Equal(september, whole.Select(r => r.Adjustment));
        Assert.Equal(whole.Select(r => r.Adjustment.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), whole.Select(r => r.Cursor));

        for (var k = 1; k < september.Count; k++)
        {
            var received = new List<StreamAdjustmentsResponse>();
            using (var call = Client.StreamAdjustments(new StreamAdjustmentsRequest { RegencyCode = Regency, Follow = true }))
            {
                while (received.Count < k && await call.ResponseStream.MoveNext(CancellationToken.None)) received.Add(call.ResponseStream.Current);
            } // dropped here
            Assert.Equal(k, received.Count);

            var resumed = await _arrange.StreamAsync(received[^1].Cursor);
            Assert.Equal(september, received.Concat(resumed).Select(r => r.Adjustment));
        }

        Assert.Empty(await _arrange.StreamAsync(whole[^1].Cursor));
        await RpcAssert.ExpectInvalid("cursor", () => _arrange.StreamAsync("abc"));
        await RpcAssert.ExpectInvalid("cursor", () => _arrange.StreamAsync("-1"));
    }

    [Fact]
    public async Task A_following_stream_receives_the_adjustments_of_a_later_close()
    {
        var (_, september) = await ClosedSeptemberAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = Client.StreamAdjustments(new StreamAdjustmentsRequest { RegencyCode = Regency, Follow = true }, cancellationToken: cancel.Token);

        var received = new List<Adjustment>();
        while (received.Count < september.Count && await call.ResponseStream.MoveNext(cancel.Token)) received.Add(call.ResponseStream.Current.Adjustment);
        Assert.Equal(september, received);

        _hub.Clock.Set(Wib(2025, 11, 4, 8));
        var october = await _arrange.CloseAsync(October, asItIs: true);
        Assert.Equal(6, october.AdjustmentsCreated);
        var octoberAdjustments = await _arrange.AdjustmentsAsync(October);

        while (received.Count < september.Count + octoberAdjustments.Count && await call.ResponseStream.MoveNext(cancel.Token))
            received.Add(call.ResponseStream.Current.Adjustment);
        Assert.Equal(september.Concat(octoberAdjustments), received);
        Assert.All(received.Skip(september.Count), a => Assert.Equal((October, 1), (a.Period, a.Revision)));
    }

    [Fact]
    public async Task Acknowledgements_mark_delivery_once_per_reference()
    {
        var (p, all) = await ClosedSeptemberAsync();
        var key = Key(p.Short, September, 1);
        _hub.Clock.Set(Wib(2025, 10, 25, 14));

        var first = await _arrange.AcknowledgeAsync("ack-1", (key, "ETPP-2025-09-0001"));
        var result = Assert.Single(first.Results);
        Assert.Equal((key, AcknowledgeOutcome.Acknowledged, ""), (result.IdempotencyKey, result.Outcome, result.Reason));
        Assert.Equal((DeliveryState.Delivered, "ETPP-2025-09-0001", "pull"),
            (result.Adjustment.DeliveryState, result.Adjustment.EtppReference, result.Adjustment.DeliveredVia));
        Assert.Equal(Wib(2025, 10, 25, 14), result.Adjustment.DeliverTime.ToDateTimeOffset());
        var expected = all.Single(a => a.IdempotencyKey == key).Clone();
        (expected.DeliveryState, expected.EtppReference, expected.DeliveredVia, expected.DeliverTime) =
            (DeliveryState.Delivered, "ETPP-2025-09-0001", "pull", result.Adjustment.DeliverTime);
        Assert.Equal(expected, result.Adjustment);

        // The same request again is replayed; the same acknowledgement in a new request is already acknowledged.
        _hub.Clock.Set(Wib(2025, 10, 26, 14));
        Assert.Equal(first, await _arrange.AcknowledgeAsync("ack-1", (key, "ETPP-2025-09-0001")));
        var again = Assert.Single((await _arrange.AcknowledgeAsync("ack-2", (key, "ETPP-2025-09-0001"))).Results);
        Assert.Equal((AcknowledgeOutcome.AlreadyAcknowledged, "", expected), (again.Outcome, again.Reason, again.Adjustment));

        // Another reference for an applied key, and an unknown key, are rejected one by one in a batch.
        var batch = await _arrange.AcknowledgeAsync("ack-3",
            (key, "ETPP-2025-09-9999"),
            ("35.22:199001012015031001:2025-09:r1", "ETPP-2025-09-0002"),
            (Key(p.Nothing, September, 1), "ETPP-2025-09-0003"),
            (Key(p.Nothing, September, 2), "ETPP-2025-09-0004"));
        Assert.Equal(
            [(AcknowledgeOutcome.Rejected, "REFERENCE_MISMATCH"), (AcknowledgeOutcome.Rejected, "ADJUSTMENT_NOT_FOUND"),
             (AcknowledgeOutcome.Acknowledged, ""), (AcknowledgeOutcome.Rejected, "ADJUSTMENT_NOT_FOUND")],
            batch.Results.Select(r => (r.Outcome, r.Reason)));
        Assert.Equal(expected, batch.Results[0].Adjustment);
        Assert.Null(batch.Results[1].Adjustment);
        Assert.Null(batch.Results[3].Adjustment);

        var reused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.AcknowledgeAsync("ack-1", (key, "ETPP-OTHER")));
        Assert.Equal("REQUEST_ID_REUSED", reused.Reason());

        // Admins see the delivery state.
        var deliveries = (await Client.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest { RegencyCode = Regency, Period = September })).Adjustments;
        Assert.Equal(all.Select(a => a.IdempotencyKey), deliveries.Select(a => a.IdempotencyKey));
        Assert.Equal(
            all.Select(a => a.Nip == p.Short ? ("ETPP-2025-09-0001", DeliveryState.Delivered) : a.Nip == p.Nothing ? ("ETPP-2025-09-0003", DeliveryState.Delivered) : ("", DeliveryState.Pending)),
            deliveries.Select(a => (a.EtppReference, a.DeliveryState)));
        var delivered = await Client.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest
        {
            RegencyCode = Regency, Period = September, DeliveryState = DeliveryState.Delivered, PageSize = 1,
        });
        Assert.Single(delivered.Adjustments);
        Assert.NotEmpty(delivered.NextPageToken);
        var next = await Client.ListAdjustmentDeliveriesAsync(new ListAdjustmentDeliveriesRequest
        {
            RegencyCode = Regency, Period = September, DeliveryState = DeliveryState.Delivered, PageSize = 1, PageToken = delivered.NextPageToken,
        });
        Assert.Equal(new[] { p.Short, p.Nothing }.Order(StringComparer.Ordinal), delivered.Adjustments.Concat(next.Adjustments).Select(a => a.Nip));
        Assert.Equal("", next.NextPageToken);
    }

    [Fact]
    public async Task Bad_acknowledgements_are_refused_whole_and_change_nothing()
    {
        var (p, all) = await ClosedSeptemberAsync();
        var key = Key(p.Short, September, 1);

        await RpcAssert.ExpectInvalid("acknowledgements", () => _arrange.AcknowledgeAsync(null));
        Assert.Equal(["acknowledgements[1].etpp_reference"], (await RpcAssert.Expect(StatusCode.InvalidArgument,
            () => _arrange.AcknowledgeAsync(null, (Key(p.Capped, September, 1), "ETPP-1"), (key, "")))).Fields());
        Assert.Equal(["acknowledgements[0].idempotency_key"], (await RpcAssert.Expect(StatusCode.InvalidArgument,
            () => _arrange.AcknowledgeAsync(null, ("", "ETPP-1")))).Fields());
        await RpcAssert.ExpectInvalid("request_id", () => _arrange.AcknowledgeAsync("", (key, "ETPP-1")));
        await RpcAssert.ExpectInvalid("acknowledgements", () => _arrange.AcknowledgeAsync(null,
            Enumerable.Range(0, 1001).Select(i => (key, $"ETPP-{i}")).ToArray()));
        var unknownRegency = await RpcAssert.Expect(StatusCode.NotFound, () => Client.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = "35.99", Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = key, EtppReference = "ETPP-1" } },
        }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", unknownRegency.Reason());

        // A key of Bojonegoro acknowledged under another regency is not found there, and stays pending here.
        var elsewhere = await Client.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = HubFactory.OtherRegencyCode,
            Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = key, EtppReference = "ETPP-1" } },
        });
        Assert.Equal((AcknowledgeOutcome.Rejected, "ADJUSTMENT_NOT_FOUND"), (elsewhere.Results[0].Outcome, elsewhere.Results[0].Reason));

        Assert.Equal(all, await _arrange.AdjustmentsAsync(September));
    }
}
