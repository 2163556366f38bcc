using EBakul.Hub.Errors;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EBakul.Hub.Access;

/// <summary>
/// Authenticates and authorizes every call before the service sees it, in this order:
/// <list type="number">
/// <item>health and reflection are public; any other method must be listed in <see cref="Scopes.ByMethod"/>;</item>
/// <item>the <c>authorization: Bearer ...</c> header must name a valid, unrevoked credential of the hub, or carry a valid access
/// token of a configured issuer whose client is not denied (<see cref="CallerAuthentication"/>; UNAUTHENTICATED);</item>
/// <item>the caller must hold the method's scope, and pulling/acknowledging adjustments needs the e-TPP kind (PERMISSION_DENIED);</item>
/// <item>the caller's rate limit (RESOURCE_EXHAUSTED);</item>
/// <item>for pulling/acknowledging adjustments, the client certificate bound to the e-TPP caller, when one is
/// (<see cref="EtppClientCertificates"/>, PERMISSION_DENIED);</item>
/// <item>the <c>regency_code</c> of the request, and of every message of a client stream, must be one the caller
/// is admitted to (PERMISSION_DENIED) — checked before any lookup, so a denied caller learns nothing about
/// whether a resource exists.</item>
/// </list>
/// Office binding (an office system sees only its own employees' purchases) needs the data and is checked by the
/// domain with the same rule: denied before found.
/// </summary>
public sealed class AccessInterceptor(CallerAuthentication authentication, CallerRateLimiter rateLimiter, EtppClientCertificates clientCertificates) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        if (caller is not null) RequireRegency(caller, request);
        return await continuation(request, context);
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        if (caller is not null) RequireRegency(caller, request);
        await continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        return await continuation(caller is null ? requestStream : new RegencyCheckingReader<TRequest>(requestStream, caller), context);
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        await continuation(caller is null ? requestStream : new RegencyCheckingReader<TRequest>(requestStream, caller), responseStream, context);
    }

    private async Task<CallerIdentity?> AuthorizeAsync(ServerCallContext context)
    {
        var method = context.Method;
        var service = method.Length > 1 ? method[1..method.LastIndexOf('/')] : "";
        if (Scopes.PublicServices.Contains(service)) return null;
        var caller = await AuthorizeAsync(authentication, rateLimiter, method, context.RequestHeaders.GetValue("authorization"), context.CancellationToken);
        if (Scopes.EtppOnly.Contains(Scopes.ByMethod[method]))
            clientCertificates.Require(caller, method, context.GetHttpContext().Connection.ClientCertificate);
        caller.AttachTo(context);
        return caller;
    }

    /// <summary>
    /// Steps 1 to 4 for a call of <paramref name="method"/> ("/package.Service/Method") carrying the
    /// <paramref name="header"/> <c>authorization</c> value: the caller, or a <see cref="HubException"/>. Also used by the
    /// HTTP routes that stand for a gRPC method (the reports' CSV downloads).
    /// </summary>
    public static async Task<CallerIdentity> AuthorizeAsync(CallerAuthentication authentication, CallerRateLimiter rateLimiter, string method, string? header,
        CancellationToken cancellationToken)
    {
        if (!Scopes.ByMethod.TryGetValue(method, out var scope))
            throw HubException.PermissionDenied("METHOD_NOT_AUTHORIZED", $"{method} is not open to callers");

        var caller = await authentication.AuthenticateAsync(header, cancellationToken);

        if (!caller.Has(scope))
            throw HubException.PermissionDenied("SCOPE_MISSING", $"caller '{caller.Id}' lacks scope '{scope}' required by {method}");
        if (Scopes.EtppOnly.Contains(scope) && caller.Kind != CallerKind.Etpp)
            throw HubException.PermissionDenied("CALLER_KIND_NOT_ALLOWED", $"only e-TPP may call {method}");
        if (!rateLimiter.TryAcquire(caller, caller.RateLimitPerSecond))
            throw HubException.ResourceExhausted("RATE_LIMITED", $"caller '{caller.Id}' exceeded its rate limit; slow down before retrying");
        return caller;
    }

    /// <summary>
    /// Refuses a request whose regency_code, or any of whose regency_codes, the caller is not admitted to (an empty code
    /// is left to validation).
    /// </summary>
    public static void RequireRegency(CallerIdentity caller, object request)
    {
        if (request is not IMessage message) return;
        var field = message.Descriptor.FindFieldByName("regency_code");
        if (field?.Accessor.GetValue(message) is string code && code.Length > 0 && !caller.MayTouch(code))
            throw HubException.PermissionDenied("REGENCY_NOT_ALLOWED", $"caller '{caller.Id}' is not admitted to regency {code}");
        if (message.Descriptor.FindFieldByName("regency_codes")?.Accessor.GetValue(message) is System.Collections.IEnumerable codes)
        {
            foreach (var listed in codes)
            {
                if (listed is string one && one.Length > 0 && !caller.MayTouch(one))
                    throw HubException.PermissionDenied("REGENCY_NOT_ALLOWED", $"caller '{caller.Id}' is not admitted to regency {one}");
            }
        }
    }

    private sealed class RegencyCheckingReader<T>(IAsyncStreamReader<T> inner, CallerIdentity caller) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken)) return false;
            RequireRegency(caller, inner.Current!);
            return true;
        }
    }
}
