using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EBakul.Client;

/// <summary>
/// Gives a request whose <c>request_id</c> field is empty a fresh id (a GUID, 32 hex characters) before the call
/// starts. The interceptor runs once per call and the channel's retries resend the same message, so every attempt of
/// a call carries the same id and the hub's idempotency records it once. The id is written into the caller's request
/// object, where the caller can read it back (and reuse it to repeat the call later). Client-streaming calls
/// (<c>SyncEmployees</c>, <c>ImportMerchants</c>) are left alone: each of their chunks carries an id the caller sets.
/// </summary>
public sealed class RequestIdInterceptor : Interceptor
{
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> RequestIdFields = new();

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        FillRequestId(request);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        FillRequestId(request);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        FillRequestId(request);
        return continuation(request, context);
    }

    /// <summary>Sets <c>request_id</c> to a new GUID when the message has that string field and it is empty.</summary>
    public static void FillRequestId(object request)
    {
        if (request is not IMessage message) return;
        var field = RequestIdFields.GetOrAdd(message.Descriptor, static descriptor =>
            descriptor.FindFieldByName("request_id") is { FieldType: FieldType.String, IsRepeated: false } f ? f : null);
        if (field is null) return;
        if (field.Accessor.GetValue(message) is string { Length: > 0 }) return;
        field.Accessor.SetValue(message, Guid.NewGuid().ToString("N"));
    }
}
