using System.Text.Json;

namespace EBakul.Client;

/// <summary>Where and as whom <see cref="ClientCredentialsTokenProvider"/> gets its tokens.</summary>
public sealed class ClientCredentialsOptions
{
    /// <summary>The issuer's token endpoint, e.g. <c>https://sso.example/realms/ebakul/protocol/openid-connect/token</c>.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The client's id at the issuer.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client's secret (sent in the form body, <c>client_secret_post</c>).</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The hub scopes asked for, space-separated (e.g. <c>purchases.write purchases.read</c>); none: the client's defaults.</summary>
    public string? Scope { get; set; }

    /// <summary>The resource indicator (RFC 8707) naming the hub, for issuers that take one; none: the issuer's default.</summary>
    public string? Resource { get; set; }

    /// <summary>How long before its expiry a token is replaced by a new one. Default 60 seconds.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Gets OAuth 2.0 client-credentials access tokens from an issuer's token endpoint and keeps the current one until shortly
/// before it expires (<see cref="ClientCredentialsOptions.RefreshBeforeExpiry"/>); calls arriving meanwhile share one
/// request. Give <see cref="GetTokenAsync"/> to <see cref="EBakulClientOptions.TokenProvider"/>:
/// <code>
/// var tokens = new ClientCredentialsTokenProvider(new ClientCredentialsOptions { TokenEndpoint = ..., ClientId = ..., ClientSecret = ..., Scope = "purchases.write" });
/// services.AddEBakulClient(o => { o.Address = hub; o.TokenProvider = tokens.GetTokenAsync; });
/// </code>
/// </summary>
public sealed class ClientCredentialsTokenProvider : IDisposable
{
    private readonly ClientCredentialsOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _requesting = new(1, 1);
    private (string Token, DateTimeOffset RefreshAt)? _current;

    /// <summary>A provider using <paramref name="http"/> (or its own client) and <paramref name="clock"/> (or the system's).</summary>
    public ClientCredentialsTokenProvider(ClientCredentialsOptions options, HttpClient? http = null, TimeProvider? clock = null)
    {
        if (options.TokenEndpoint is not { IsAbsoluteUri: true }) throw new ArgumentException("ClientCredentialsOptions.TokenEndpoint must be an absolute address", nameof(options));
        if (options.ClientId.Length == 0) throw new ArgumentException("ClientCredentialsOptions.ClientId is required", nameof(options));
        _options = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>How many tokens were requested from the token endpoint.</summary>
    public int TokenRequests { get; private set; }

    /// <summary>A current access token: the one held, or a new one when it is about to expire.</summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_current is { } held && _clock.GetUtcNow() < held.RefreshAt) return held.Token;
        await _requesting.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fetched && _clock.GetUtcNow() < fetched.RefreshAt) return fetched.Token;
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = _options.ClientId, ["client_secret"] = _options.ClientSecret,
            };
            if (_options.Scope is { Length: > 0 } scope) form["scope"] = scope;
            if (_options.Resource is { Length: > 0 } resource) form["resource"] = resource;
            var requestedAt = _clock.GetUtcNow();
            TokenRequests++;
            using var response = await _http.PostAsync(_options.TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // The issuer's error code, never the secret or a token.
                var error = TryRead(body, "error") ?? "no error code";
                throw new HttpRequestException($"the token endpoint refused client '{_options.ClientId}': {(int)response.StatusCode} {error}", null, response.StatusCode);
            }
            using var document = JsonDocument.Parse(body);
            var token = document.RootElement.GetProperty("access_token").GetString()
                ?? throw new HttpRequestException("the token endpoint answered no access_token");
            var lifetime = document.RootElement.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds)
                ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
            // A token shorter-lived than the margin is still used once, for half its life.
            var margin = lifetime > _options.RefreshBeforeExpiry * 2 ? _options.RefreshBeforeExpiry : lifetime / 2;
            _current = (token, requestedAt + lifetime - margin);
            return token;
        }
        finally
        {
            _requesting.Release();
        }
    }

    private static string? TryRead(string body, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty(property, out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _requesting.Dispose();
        if (_ownsHttp) _http.Dispose();
    }
}
