using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EBakul.Hub.Errors;

/// <summary>
/// The one place where domain failures become wire statuses: a <see cref="HubException"/> is sent as a
/// <c>google.rpc.Status</c> with an <c>ErrorInfo</c> (reason, domain) and, for invalid input, a
/// <c>BadRequest</c> with every field violation; a failure of the database's storage (full disk, read-only or failing
/// files) is UNAVAILABLE with its reason (<see cref="Data.StorageFailure"/>). Anything else is left to gRPC (UNKNOWN,
/// no details).
/// </summary>
public sealed class HubErrorInterceptor : Interceptor
{
    /// <summary>The <c>ErrorInfo.domain</c> of every error the hub raises.</summary>
    public const string ErrorDomain = "ebakul.hub";

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context); }
        catch (HubException ex) { throw Refused(ex, context); }
        catch (Exception ex) when (Data.StorageFailure.From(ex) is { } storage) { throw Refused(storage, context); }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(requestStream, context); }
        catch (HubException ex) { throw Refused(ex, context); }
        catch (Exception ex) when (Data.StorageFailure.From(ex) is { } storage) { throw Refused(storage, context); }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context); }
        catch (HubException ex) { throw Refused(ex, context); }
        catch (Exception ex) when (Data.StorageFailure.From(ex) is { } storage) { throw Refused(storage, context); }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(requestStream, responseStream, context); }
        catch (HubException ex) { throw Refused(ex, context); }
        catch (Exception ex) when (Data.StorageFailure.From(ex) is { } storage) { throw Refused(storage, context); }
    }

    private const string RecordPurchaseMethod = "/ebakul.ledger.v1.LedgerService/RecordPurchase";

    /// <summary>Counts a refusal by method, status and reason (and a refused purchase), then builds its status.</summary>
    private static RpcException Refused(HubException ex, ServerCallContext context) =>
        Refused(IsJson(context) ? ex.WithJsonFieldNames() : ex, context.Method);

    /// <summary>Whether the call came over HTTP/JSON (transcoded), whose callers name fields in lowerCamelCase.</summary>
    private static bool IsJson(ServerCallContext context) =>
        TryGetHttpContext(context)?.GetEndpoint() is { } endpoint && Hosting.HttpJsonApi.IsTranscoded(endpoint);

    private static HttpContext? TryGetHttpContext(ServerCallContext context)
    {
        try { return context.GetHttpContext(); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>
    /// Counts a refusal of <paramref name="method"/> (the full name, "/package.Service/Method") and builds its status: also
    /// for refusals made before any interceptor runs (a request body that does not parse).
    /// </summary>
    public static RpcException Refused(HubException ex, string method)
    {
        var slash = method.LastIndexOf('/');
        Hosting.HubTelemetry.RequestsRefused.Add(1,
            Hosting.HubTelemetry.Label("rpc.service", slash > 0 ? method[1..slash] : method),
            Hosting.HubTelemetry.Label("rpc.method", method[(slash + 1)..]),
            Hosting.HubTelemetry.Label("rpc.grpc.status_code", (int)ex.Code),
            Hosting.HubTelemetry.Label("reason", ex.Reason));
        if (method == RecordPurchaseMethod)
            Hosting.HubTelemetry.PurchasesRefused.Add(1, Hosting.HubTelemetry.Label("reason", ex.Reason));
        System.Diagnostics.Activity.Current?.SetTag("ebakul.error.reason", ex.Reason);
        return ToRpcException(ex);
    }

    /// <summary>Builds the rich status for a domain failure.</summary>
    public static RpcException ToRpcException(HubException ex)
    {
        var status = new Google.Rpc.Status { Code = (int)ex.Code, Message = ex.Message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = ex.Reason, Domain = ErrorDomain, Metadata = { ex.Metadata.ToDictionary() } }));
        if (ex.Violations.Count > 0)
        {
            var badRequest = new BadRequest();
            foreach (var v in ex.Violations)
            {
                badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
                {
                    Field = v.Field, Reason = v.Reason, Description = v.Description,
                });
            }
            status.Details.Add(Any.Pack(badRequest));
        }
        return status.ToRpcException();
    }
}
