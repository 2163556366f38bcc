using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace EBakul.Hub.Tests.Access;

/// <summary>
/// Every method of every service, called for Bojonegoro by a caller that holds every scope but is admitted
/// only to another regency, is PERMISSION_DENIED before anything is looked up or changed.
/// </summary>
public sealed class RegencyBindingTests : IDisposable
{
    /// <summary>Every service's file descriptor.</summary>
    internal static readonly FileDescriptor[] Contracts =
    [
        EBakul.Regions.V1.RegionServiceReflection.Descriptor,
        EBakul.Merchants.V1.MerchantServiceReflection.Descriptor,
        EBakul.Roster.V1.RosterServiceReflection.Descriptor,
        EBakul.Ledger.V1.LedgerServiceReflection.Descriptor,
        EBakul.Quota.V1.QuotaServiceReflection.Descriptor,
        EBakul.Payroll.V1.PayrollServiceReflection.Descriptor,
        EBakul.Audit.V1.AuditServiceReflection.Descriptor,
        EBakul.Reports.V1.ReportServiceReflection.Descriptor,
        EBakul.Integrity.V1.IntegrityServiceReflection.Descriptor,
    ];

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var method in Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods))
        {
            if (method.Service.FullName != "ebakul.regions.v1.RegionService" || method.Name != "ListRegencies")
                data.Add($"/{method.Service.FullName}/{method.Name}");
        }
        return data;
    }

    [Fact]
    public void Every_contract_method_needs_a_scope()
    {
        var all = Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}");
        Assert.All(all, m => Assert.True(Scopes.ByMethod.ContainsKey(m), $"{m} has no scope"));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Another_regency_is_denied_for(string fullName)
    {
        var method = Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods).Single(m => $"/{m.Service.FullName}/{m.Name}" == fullName);
        var token = _hub.IssueToken(new Caller
        {
            Id = "tuban-everything", DisplayName = "Tuban", Kind = CallerKind.Etpp, Scopes = string.Join(' ', Scopes.All),
            Regencies = HubFactory.OtherRegencyCode, RateLimitPerSecond = 10_000,
        });
        var invoker = _hub.ChannelFor(token).CreateCallInvoker();
        var request = method.InputType.Parser.ParseFrom(ByteString.Empty);
        // A method over several regencies names them in regency_codes.
        if (method.InputType.FindFieldByName("regency_code") is { } single) single.Accessor.SetValue(request, "35.22");
        else ((System.Collections.IList)method.InputType.FindFieldByName("regency_codes").Accessor.GetValue(request)).Add("35.22");
        var payload = request.ToByteArray();
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var grpcMethod = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, Bytes, Bytes);

        var status = await RpcAssert.Expect(StatusCode.PermissionDenied, async () =>
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(grpcMethod, null, new CallOptions(), payload);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(grpcMethod, null, new CallOptions(), payload))
                        await call.ResponseStream.MoveNext(CancellationToken.None);
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(grpcMethod, null, new CallOptions()))
                    {
                        await call.RequestStream.WriteAsync(payload);
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(grpcMethod, null, new CallOptions()))
                    {
                        await call.RequestStream.WriteAsync(payload);
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseStream.MoveNext(CancellationToken.None);
                    }
                    break;
            }
        });
        Assert.Equal("REGENCY_NOT_ALLOWED", status.Reason());
    }
}
