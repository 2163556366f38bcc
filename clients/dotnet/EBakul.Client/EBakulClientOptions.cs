namespace EBakul.Client;

/// <summary>Where the hub is, who calls it and how calls behave; set through <see cref="EBakulClientServiceCollectionExtensions.AddEBakulClient"/>.</summary>
public sealed class EBakulClientOptions
{
    /// <summary>The hub's gRPC endpoint, e.g. <c>http://127.0.0.1:5080</c> (cleartext HTTP/2) or an <c>https://</c> address.</summary>
    public Uri? Address { get; set; }

    /// <summary>The caller's bearer token, sent as <c>authorization: Bearer …</c> on every call.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Gives the bearer token of each call instead of <see cref="Token"/>: e.g. <see cref="ClientCredentialsTokenProvider.GetTokenAsync"/>,
    /// which gets OAuth 2.0 access tokens from an issuer and renews them shortly before they expire.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>The deadline of a unary call that sets none itself. Streams get none: a change feed may stay open for hours.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of one call, the first included (AIP-194: UNAVAILABLE and RESOURCE_EXHAUSTED are retried).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The backoff before the first retry; each next one is <see cref="BackoffMultiplier"/> times longer (with jitter).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much longer each backoff is than the one before.</summary>
    public double BackoffMultiplier { get; set; } = 2;
}
