using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Roster.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// Well-known values a caller can send but no instant can be made of: refused as the caller's mistake with a field
/// violation, never UNKNOWN; and in output-only fields, ignored.
/// </summary>
public sealed class OutOfRangeValuesTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public OutOfRangeValuesTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    public static TheoryData<long, int> OutOfRange => new()
    {
        { 1_760_000_000, -1 },
        { 1_760_000_000, 1_000_000_000 },
        { 253_402_300_800, 0 },
        { long.MaxValue, 0 },
        { -62_135_596_801, 0 },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task An_occur_time_out_of_the_timestamp_range_is_a_field_violation(long seconds, int nanos)
    {
        var ledger = new LedgerService.LedgerServiceClient(_hub.Channel);
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var draft = new PurchaseDraft
        {
            EmployeeNip = nip, MerchantId = merchant, AmountRupiah = 10_000, OccurTime = new Timestamp { Seconds = seconds, Nanos = nanos },
            ReceiptKind = EBakul.Ledger.V1.ReceiptKind.Nota, ReceiptReference = "NT-RANGE",
        };

        var single = await RpcAssert.ExpectInvalid("purchase.occur_time", () => ledger.RecordPurchaseAsync(
            new RecordPurchaseRequest { RequestId = TestData.RequestId(), RegencyCode = Regency, Purchase = draft }).ResponseAsync);
        // A batch holding such a value is not a request the hub can read: the whole call is refused, naming the row.
        var batch = await RpcAssert.ExpectInvalid("purchases[0].occur_time", () => ledger.RecordPurchasesAsync(new RecordPurchasesRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Purchases = { draft },
        }).ResponseAsync);

        Assert.Equal("TIMESTAMP_OUT_OF_RANGE", single.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Single().Reason);
        Assert.Equal("TIMESTAMP_OUT_OF_RANGE", batch.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Single().Reason);
        Assert.Empty((await ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency })).Purchases);

        var merchants = new MerchantService.MerchantServiceClient(_hub.Channel);
        await RpcAssert.ExpectInvalid("eligible_since", () => merchants.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Merchant = TestData.ValidMerchantDraft(),
            EligibleSince = new Timestamp { Seconds = seconds, Nanos = nanos },
        }).ResponseAsync);
    }

    [Fact]
    public async Task An_output_only_update_time_sent_with_a_roster_row_is_ignored()
    {
        var row = RosterTestData.Employee();
        row.UpdateTime = new Timestamp { Seconds = 1_760_000_000, Nanos = -5 };

        var response = await RosterTestData.SyncAsync(_hub.Channel, [row]);

        Assert.Equal(SyncOutcome.Created, Assert.Single(response.Results).Outcome);
        var stored = (await new RosterService.RosterServiceClient(_hub.Channel).GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = Regency, Nip = row.Nip })).Employee;
        Assert.Equal(HubFactory.DefaultNow, stored.UpdateTime.ToDateTimeOffset());
    }
}
