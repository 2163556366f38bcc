using EBakul.Hub.Errors;
using EBakul.Hub.Tests.Infrastructure;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// Request bodies that do not parse, and parsed requests with out-of-range well-known types, sent to every RPC of
/// the hub: each is INVALID_ARGUMENT (never UNKNOWN or INTERNAL) and nothing is written.
/// </summary>
public sealed class MalformedRequestTests : IDisposable
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    /// <summary>Every method of every hub service (health and reflection are the framework's).</summary>
    private static IReadOnlyList<MethodDescriptor> HubMethods() =>
        typeof(EBakul.Ledger.V1.LedgerService).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(ServiceDescriptor))
            .Select(p => (ServiceDescriptor)p!.GetValue(null)!)
            .Where(s => s.FullName.StartsWith("ebakul.", StringComparison.Ordinal))
            .SelectMany(s => s.Methods)
            .ToList();

    /// <summary>The fixed bodies the fault test found first, then a fixed-seed corpus of mutations.</summary>
    private static IReadOnlyList<byte[]> Corpus(int seed, int randomCount)
    {
        var bodies = new List<byte[]>
        {
            new byte[] { 0x0a },                                  // a length-delimited field with no length
            new byte[] { 0x0a, 0x02, 0xff, 0xfe },                // field 1: not UTF-8 (or not a message)
            Enumerable.Repeat(new byte[] { 0x9b, 0x06 }, 100).SelectMany(b => b).ToArray(), // 100 nested groups
            new byte[] { 0x0f, 0x01 },                            // wire type 7 does not exist
            new byte[] { 0x0e },                                  // wire type 6 does not exist
            new byte[] { 0x0a, 0x7f, 0x01 },                      // a length past the end
            new byte[] { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, // an 11-byte varint
            new byte[] { 0x00 },                                  // field number 0
        };
        var random = new Random(seed);
        for (var i = 0; i < randomCount; i++)
        {
            var body = new byte[random.Next(1, 24)];
            random.NextBytes(body);
            bodies.Add(body);
        }
        return bodies;
    }

    private async Task<StatusCode> Send(MethodDescriptor m, byte[] body)
    {
        var invoker = _hub.Channel.CreateCallInvoker();
        var type = (m.IsClientStreaming, m.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, m.Service.FullName, m.Name, Bytes, Bytes);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, body);
                    break;
                case MethodType.ServerStreaming:
                {
                    using var call = invoker.AsyncServerStreamingCall(method, null, options, body);
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                    break;
                }
                case MethodType.ClientStreaming:
                {
                    using var call = invoker.AsyncClientStreamingCall(method, null, options);
                    await call.RequestStream.WriteAsync(body);
                    await call.RequestStream.CompleteAsync();
                    await call;
                    break;
                }
                default:
                {
                    using var call = invoker.AsyncDuplexStreamingCall(method, null, options);
                    await call.RequestStream.WriteAsync(body);
                    await call.RequestStream.CompleteAsync();
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                    break;
                }
            }
            return StatusCode.OK;
        }
        catch (RpcException ex) { return ex.StatusCode; }
    }

    [Fact]
    public async Task A_fixed_seed_corpus_of_malformed_bodies_over_every_rpc_gets_no_unknown_or_internal_and_writes_nothing()
    {
        var methods = HubMethods();
        Assert.True(methods.Count >= 20, $"only {methods.Count} hub methods found");
        _ = _hub.Channel; // starts the hub, which creates the database
        var before = StoredRows.Count(_hub.DatabasePath);
        var failures = new List<string>();
        var unparseable = 0;
        foreach (var m in methods)
        {
            foreach (var body in Corpus(seed: 15, randomCount: 40))
            {
                var code = await Send(m, body);
                if (code is StatusCode.Unknown or StatusCode.Internal)
                    failures.Add($"{m.FullName} {Convert.ToHexString(body)}: {code}");
                if (code == StatusCode.InvalidArgument) unparseable++;
            }
        }
        Assert.Empty(failures);
        Assert.True(unparseable > methods.Count * 8, $"only {unparseable} INVALID_ARGUMENT answers");
        Assert.Equal(before, StoredRows.Count(_hub.DatabasePath));
    }

    [Fact]
    public async Task A_truncated_body_is_invalid_argument_saying_it_could_not_be_parsed_and_counted_as_a_refusal()
    {
        // The refusal counter is process-wide; other tests may refuse RecordPurchase bodies at the same time, so the test
        // counts at least its own one.
        long refusedUnparseable = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "ebakul.requests.refused") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString());
            if (labels.GetValueOrDefault("reason") == ParsedRequestMethodProvider<object>.UnparseableReason
                && labels.GetValueOrDefault("rpc.method") == "RecordPurchase")
                Interlocked.Add(ref refusedUnparseable, value);
        });
        listener.Start();

        var record = HubMethods().Single(m => m.Name == "RecordPurchase");
        var ex = await Assert.ThrowsAsync<RpcException>(() => _hub.Channel.CreateCallInvoker().AsyncUnaryCall(
            new Method<byte[], byte[]>(MethodType.Unary, record.Service.FullName, record.Name, Bytes, Bytes), null, default, [0x0a]).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("could not be parsed", ex.Status.Detail);
        Assert.Equal(ParsedRequestMethodProvider<object>.UnparseableReason, ex.GetRpcStatus()!.Reason());
        Assert.True(Interlocked.Read(ref refusedUnparseable) >= 1, "the refusal was not counted in ebakul.requests.refused");
    }

    [Theory]
    [InlineData(0L, -1)]
    [InlineData(0L, 1_000_000_000)]
    [InlineData(253_402_300_800L, 0)]
    [InlineData(long.MaxValue, 0)]
    [InlineData(-62_135_596_801L, 0)]
    public async Task An_out_of_range_occur_time_is_a_field_violation(long seconds, int nanos)
    {
        var client = new EBakul.Ledger.V1.LedgerService.LedgerServiceClient(_hub.Channel);
        var status = await RpcAssert.ExpectInvalid("purchase.occur_time", () => client.RecordPurchaseAsync(new EBakul.Ledger.V1.RecordPurchaseRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Purchase = new EBakul.Ledger.V1.PurchaseDraft { OccurTime = new Timestamp { Seconds = seconds, Nanos = nanos } },
        }).ResponseAsync);
        Assert.Equal("TIMESTAMP_OUT_OF_RANGE", status.Reason());
    }
}
