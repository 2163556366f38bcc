namespace EBakul.Hub.EtppPush;

/// <summary>What <c>GET /api/v1/tpp-adjustments/{key}</c> said about one key.</summary>
public abstract record EtppLookupResult
{
    private EtppLookupResult()
    {
    }

    /// <summary>e-TPP applied the adjustment under this key.</summary>
    /// <param name="EtppReference">e-TPP's reference for the application.</param>
    /// <param name="AppliedAt">When e-TPP applied it.</param>
    public sealed record Applied(string EtppReference, DateTimeOffset AppliedAt) : EtppLookupResult;

    /// <summary>e-TPP says nothing was applied under this key (404 <c>ADJUSTMENT_NOT_FOUND</c>).</summary>
    public sealed record NotApplied : EtppLookupResult;

    /// <summary>No trustworthy answer; ask again later.</summary>
    /// <param name="Failure">Why, classified as for a push.</param>
    public sealed record Unknown(EtppPushResult.TransientFailure Failure) : EtppLookupResult;
}
