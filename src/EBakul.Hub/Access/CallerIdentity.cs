using Grpc.Core;

namespace EBakul.Hub.Access;

/// <summary>
/// The calling system a request comes from: the key of its idempotency records and the
/// <c>recorded_by</c> of what it writes.
/// </summary>
public sealed record CallerIdentity(string Id)
{
    /// <summary>The caller of a hub without authentication configured (local development).</summary>
    public static readonly CallerIdentity Local = new("local");

    private const string ItemKey = "ebakul.caller";

    /// <summary>The caller of the current call.</summary>
    public static CallerIdentity Of(ServerCallContext context) =>
        context.GetHttpContext().Items.TryGetValue(ItemKey, out var caller) && caller is CallerIdentity identity
            ? identity
            : Local;
}
