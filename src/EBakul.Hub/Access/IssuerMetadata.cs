using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace EBakul.Hub.Access;

/// <summary>
/// One issuer's OpenID Connect discovery document and signing keys (JWKS), read with
/// <see cref="OpenIdConnectConfigurationRetriever"/> and kept: read again every
/// <see cref="TokenIssuerOptions.AutomaticRefreshInterval"/>, and at once (at most every
/// <see cref="TokenIssuerOptions.MinimumRefreshInterval"/>) when a token names a key the hub does not hold, which is how
/// an issuer's key rotation reaches the hub. Callers arriving while a read is under way share it. When a read fails, the
/// keys last read stay in use and the read is tried again after the minimum refresh interval; with none read yet,
/// <see cref="GetAsync"/> throws <see cref="IssuerMetadataUnavailableException"/>.
/// </summary>
public sealed class IssuerMetadata(TokenIssuerOptions issuer, HttpClient http, TimeProvider clock, ILogger logger)
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly HttpDocumentRetriever _retriever = new(http) { RequireHttps = RequiresHttps(issuer) };
    private volatile OpenIdConnectConfiguration? _current;
    private long _readAt = long.MinValue; // the clock's timestamp of the last read attempt; MinValue: none yet
    private TimeSpan _freshFor = issuer.AutomaticRefreshInterval; // after a failed read: the minimum refresh interval

    /// <summary>The discovery document's address.</summary>
    public string MetadataAddress { get; } = issuer.Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    /// <summary>Whether the issuer's metadata must come over HTTPS: unless it is off, or the authority is on loopback.</summary>
    public static bool RequiresHttps(TokenIssuerOptions issuer) =>
        issuer.RequireHttpsMetadata && !(Uri.TryCreate(issuer.Authority, UriKind.Absolute, out var uri) && uri.IsLoopback);

    /// <summary>The issuer's configuration: the one held while it is fresh, else read now.</summary>
    public async Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && Since(Interlocked.Read(ref _readAt)) < _freshFor) return current;
        return await ReadAsync(current, force: false, cancellationToken);
    }

    /// <summary>
    /// The configuration after reading the keys again because a token named a key that <paramref name="held"/> lacks; no
    /// read when the last one is more recent than the minimum refresh interval.
    /// </summary>
    public Task<OpenIdConnectConfiguration> RefreshForUnknownKeyAsync(OpenIdConnectConfiguration held, CancellationToken cancellationToken) =>
        ReadAsync(held, force: true, cancellationToken);

    private async Task<OpenIdConnectConfiguration> ReadAsync(OpenIdConnectConfiguration? held, bool force, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            // Another caller read it meanwhile.
            if (_current is { } latest && !ReferenceEquals(latest, held)) return latest;
            var since = Since(Interlocked.Read(ref _readAt));
            if (_current is { } kept && since < (force ? issuer.MinimumRefreshInterval : _freshFor)) return kept;
            if (_current is null && since < TimeSpan.FromSeconds(1) && _lastFailure is { } recent) throw recent; // an unreachable issuer is not hammered
            Interlocked.Exchange(ref _readAt, clock.GetTimestamp());
            try
            {
                var read = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataAddress, _retriever, cancellationToken);
                _lastFailure = null;
                _freshFor = issuer.AutomaticRefreshInterval;
                _current = read;
                logger.LogInformation("Read the metadata of issuer {Issuer}: {Keys} signing key(s)", issuer.DisplayName, read.SigningKeys.Count);
                return read;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not read the metadata of issuer {Issuer} from {Address}: {Error}", issuer.DisplayName, MetadataAddress,
                    ex.InnerException?.Message ?? ex.Message);
                // The keys last read stay in use; the next read is tried after the minimum refresh interval, not an hour.
                _freshFor = issuer.MinimumRefreshInterval;
                if (_current is { } lastKnown) return lastKnown;
                _lastFailure = new IssuerMetadataUnavailableException(issuer.DisplayName, ex);
                throw _lastFailure;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    private IssuerMetadataUnavailableException? _lastFailure;

    private TimeSpan Since(long timestamp) => timestamp == long.MinValue ? TimeSpan.MaxValue : clock.GetElapsedTime(timestamp);

    /// <summary>Whether <paramref name="configuration"/> holds a signing key with the id <paramref name="keyId"/>.</summary>
    public static bool HoldsKey(OpenIdConnectConfiguration configuration, string keyId) =>
        configuration.SigningKeys.Any(key => string.Equals(key.KeyId, keyId, StringComparison.Ordinal));
}

/// <summary>The issuer's discovery document or keys could not be read, and none were read before.</summary>
public sealed class IssuerMetadataUnavailableException(string issuer, Exception inner)
    : Exception($"the metadata of token issuer '{issuer}' cannot be read now", inner);
