using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EBakul.Client;

/// <summary>
/// Gives a unary call that sets no deadline <see cref="EBakulClientOptions.DefaultDeadline"/>, so a call to an
/// unresponsive hub ends with DEADLINE_EXCEEDED instead of waiting forever. The deadline covers all its retries.
/// </summary>
public sealed class DefaultDeadlineInterceptor(TimeSpan defaultDeadline) : Interceptor
{
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDefaultDeadline(context));

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDefaultDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithDefaultDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class =>
        context.Options.Deadline is not null
            ? context
            : new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host,
                context.Options.WithDeadline(DateTime.UtcNow + defaultDeadline));
}
