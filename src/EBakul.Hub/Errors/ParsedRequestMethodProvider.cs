using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;

namespace EBakul.Hub.Errors;

/// <summary>
/// Binds each gRPC service the way grpc-dotnet's own binder does, with one difference: a request body that does
/// not parse as its message (truncated, a string that is not UTF-8, nesting past the recursion limit, a wrong wire
/// type) is answered INVALID_ARGUMENT with reason <c>REQUEST_UNPARSEABLE</c> instead of the UNKNOWN "Exception was
/// thrown by handler." that a parse exception in the framework's deserializer would give. Parsing happens before any
/// interceptor or handler runs, so such a request reaches nothing and writes nothing. Streamed requests are read
/// through the same marshaller, so a bad message in the middle of a stream ends the call the same way. A parsed
/// request then passes <see cref="RequestWellKnownTypes.Check"/> (out-of-range timestamps are INVALID_ARGUMENT with a
/// field violation; output-only fields are cleared).
/// </summary>
public sealed class ParsedRequestMethodProvider<TService> : IServiceMethodProvider<TService> where TService : class
{
    /// <summary>The <c>ErrorInfo.reason</c> of a request body that could not be parsed.</summary>
    public const string UnparseableReason = "REQUEST_UNPARSEABLE";

    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var attribute = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true);
        if (attribute is null) return;
        var bind = attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is { Length: 2 } p && p[0].ParameterType == typeof(ServiceBinderBase));
        if (bind is null) throw new InvalidOperationException($"{attribute.BindType} has no {attribute.BindMethodName}(ServiceBinderBase, …)");
        bind.Invoke(null, [new Binder(context), null]);
    }

    /// <summary>A <see cref="Method{TRequest,TResponse}"/> like <paramref name="method"/> whose request parse failures are INVALID_ARGUMENT.</summary>
    public static Method<TRequest, TResponse> WithCheckedParse<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var requestMarshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            TRequest request;
            try { request = parse(context); }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or InvalidOperationException)
            {
                throw HubErrorInterceptor.Refused(HubException.Unparseable(UnparseableReason,
                    $"the request body could not be parsed as {typeof(TRequest).Name}: {ex.Message}"), method.FullName);
            }
            if (request is IMessage message && RequestWellKnownTypes.Check(message) is { Count: > 0 } violations)
                throw HubErrorInterceptor.Refused(HubException.InvalidArgument(violations), method.FullName);
            return request;
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requestMarshaller, method.ResponseMarshaller);
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Describe<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(WithCheckedParse(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Describe<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(WithCheckedParse(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Describe<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(WithCheckedParse(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Describe<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(WithCheckedParse(method), metadata, invoker);
        }

        /// <summary>The service's override of the method (an unimplemented one answers UNIMPLEMENTED from the base class) and its endpoint metadata.</summary>
        private static (TDelegate Invoker, List<object> Metadata) Describe<TDelegate>(string methodName, Type[] parameters) where TDelegate : Delegate
        {
            var handler = typeof(TService).GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService)} has no method {methodName}");
            var invoker = (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler);
            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return (invoker, metadata);
        }
    }
}
