using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// Writes whose deadline expires, sent to a real hub process: the caller cannot tell whether they were committed
/// (docs/access.md, "Deadlines and cancellation"), and replaying the same request_id is how it finds out: each is then
/// recorded exactly once.
/// </summary>
public sealed class DeadlineTests(ITestOutputHelper output)
{
    /// <summary>Calls in flight on one connection at once: well under Kestrel's 100 streams per connection.</summary>
    private const int WaveSize = 25;

    [Fact]
    public async Task Purchases_sent_with_a_1_ms_deadline_and_replayed_with_their_request_ids_are_each_recorded_once()
    {
        await using var hub = new FaultHub();
        await hub.StartAsync();
        var merchant = await TestData.RegisterActiveMerchantAsync(hub.Channel);
        var employee = await RosterTestData.SyncEmployeeAsync(hub.Channel);
        var ledger = new LedgerService.LedgerServiceClient(hub.Channel);
        await Task.Delay(TimeSpan.FromSeconds(1)); // purchases made after the verification
        var at = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var requests = Enumerable.Range(0, 200).Select(i => new RecordPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency,
            Purchase = new PurchaseDraft
            {
                EmployeeNip = employee.Nip, MerchantId = merchant.MerchantId, AmountRupiah = 1_000 + i, OccurTime = at,
                ReceiptKind = ReceiptKind.Nota, ReceiptReference = $"NT-DEADLINE-{i:D3}",
            },
        }).ToList();

        // In waves, each on its own connection: Kestrel answers a connection whose client resets many streams at once
        // with ENHANCE_YOUR_CALM (its HTTP/2 rapid-reset protection), which is not what this test is about.
        var first = new List<string?>();
        foreach (var wave in requests.Chunk(WaveSize))
        {
            using var channel = hub.OpenChannel();
            var waveLedger = new LedgerService.LedgerServiceClient(channel);
            first.AddRange(await Task.WhenAll(wave.Select(async request =>
            {
                try
                {
                    return (await waveLedger.RecordPurchaseAsync(request, deadline: DateTime.UtcNow.AddMilliseconds(1))).Purchase.PurchaseId;
                }
                // Both ends watch the deadline: when the server's timer fires first it resets the HTTP/2 stream, which the
                // client reads as INTERNAL ("STREAM_CLOSED") rather than DEADLINE_EXCEEDED.
                catch (RpcException ex) when (ex.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled
                                              || (ex.StatusCode == StatusCode.Internal && ex.Status.Detail.Contains("STREAM_CLOSED", StringComparison.Ordinal)))
                {
                    return null; // committed or not: the caller cannot tell
                }
            })));
        }
        var replayed = await Task.WhenAll(requests.Select(async request => (await ledger.RecordPurchaseAsync(request)).Purchase.PurchaseId));
        output.WriteLine($"{first.Count(id => id is null)} of {requests.Count} ran out of their deadline");

        for (var i = 0; i < requests.Count; i++)
            if (first[i] is { } answered) Assert.Equal(answered, replayed[i]);
        Assert.Equal(requests.Count, replayed.Distinct().Count());
        var listed = await ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = TestData.Regency, PageSize = 1000 });
        Assert.Equal(replayed.Order(StringComparer.Ordinal), listed.Purchases.Select(p => p.PurchaseId).Order(StringComparer.Ordinal));
    }
}
