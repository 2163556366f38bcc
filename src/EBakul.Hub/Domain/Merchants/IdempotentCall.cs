using Google.Protobuf;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>
/// A mutating request as <see cref="Data.IdempotentWrites"/> needs it: who sent it, through which gRPC
/// method, the request itself (its hash decides whether a reused request_id is a retry) and its request_id.
/// The caller is also what status changes record as <c>changed_by</c>.
/// </summary>
/// <param name="CallerId">The calling system.</param>
/// <param name="Method">Full gRPC method name.</param>
/// <param name="Request">The request message.</param>
/// <param name="RequestId">The caller's idempotency key.</param>
public sealed record IdempotentCall<TRequest>(string CallerId, string Method, TRequest Request, string RequestId)
    where TRequest : IMessage<TRequest>;
