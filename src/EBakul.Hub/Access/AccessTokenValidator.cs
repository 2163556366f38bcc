using System.Collections.Frozen;
using EBakul.Hub.Errors;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace EBakul.Hub.Access;

/// <summary>
/// Checks JWT access tokens of the configured OAuth 2.0 / OpenID Connect issuers (<see cref="AccessOptions.Issuers"/>)
/// and turns their claims into the caller they stand for. A token is accepted when its <c>iss</c> is a configured issuer,
/// it is signed with an asymmetric algorithm (RS*, PS*, ES*) by a key of that issuer's JWKS, names the issuer's audience,
/// has not expired on the hub's clock (within the issuer's clock skew), and its client is not on the deny list
/// (<see cref="DeniedClients"/>). Each refusal has its own reason: <c>TOKEN_ISSUER_UNKNOWN</c>, <c>TOKEN_SIGNATURE_INVALID</c>,
/// <c>TOKEN_AUDIENCE_INVALID</c>, <c>TOKEN_EXPIRED</c>, <c>TOKEN_NOT_YET_VALID</c>, <c>TOKEN_INVALID</c> (UNAUTHENTICATED),
/// <c>TOKEN_CLAIMS_MISSING</c>, <c>CALLER_SUSPENDED</c> (PERMISSION_DENIED), and <c>ISSUER_METADATA_UNAVAILABLE</c>
/// (UNAVAILABLE) while the issuer's keys cannot be read.
/// </summary>
public sealed class AccessTokenValidator
{
    /// <summary>The HTTP client the issuers' discovery documents and keys are read with.</summary>
    public const string HttpClientName = "token-issuers";

    /// <summary>The signing algorithms accepted: asymmetric only, so neither <c>none</c> nor an HMAC keyed with a public key passes.</summary>
    public static readonly FrozenSet<string> Algorithms = new[]
    {
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>How many verified tokens <see cref="AuthenticateAsync"/> remembers; when full it starts over.</summary>
    public const int VerifiedTokensKept = 10_000;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, VerifiedToken> _verified = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<(TokenIssuerOptions Options, IssuerMetadata Metadata)> _issuers;
    private readonly DeniedClients _denied;
    private readonly TimeProvider _clock;

    /// <summary>Reads the configured issuers; refuses settings with <see cref="Problems"/>.</summary>
    public AccessTokenValidator(IOptions<AccessOptions> options, IHttpClientFactory http, DeniedClients denied, TimeProvider clock, ILoggerFactory logs)
    {
        _denied = denied;
        _clock = clock;
        var logger = logs.CreateLogger<AccessTokenValidator>();
        if (Problems(options.Value).FirstOrDefault() is { } problem) throw new InvalidOperationException(problem);
        _issuers = [.. options.Value.Issuers.Select(issuer => (issuer, new IssuerMetadata(issuer, http.CreateClient(HttpClientName), clock, logger)))];
    }

    /// <summary>
    /// What is wrong with the issuers' settings, one sentence each: an authority that is not an absolute http(s) address,
    /// an <c>http://</c> authority off loopback while HTTPS is required, a missing audience, an unknown kind.
    /// </summary>
    public static IEnumerable<string> Problems(AccessOptions options) => options.Issuers.SelectMany((issuer, index) =>
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(issuer.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            problems.Add($"Access:Issuers:{index}:Authority must be an https:// address (got '{issuer.Authority}')");
        else if (authority.Scheme == "http" && IssuerMetadata.RequiresHttps(issuer))
            problems.Add($"Access:Issuers:{index}:Authority {issuer.Authority} is http:// off loopback: " +
                $"use https://, or set Access:Issuers:{index}:RequireHttpsMetadata=false");
        if (string.IsNullOrWhiteSpace(issuer.Audience))
            problems.Add($"Access:Issuers:{index}:Audience is required: the audience the issuer's tokens for the hub name");
        if (issuer.Kind is { } kind && !CallerKinds.TryParse(kind, out _))
            problems.Add($"Access:Issuers:{index}:Kind must be {CallerKinds.Words} (got '{kind}')");
        return problems;
    });

    /// <summary>Whether any issuer is configured.</summary>
    public bool HasIssuers => _issuers.Count > 0;

    /// <summary>The configured issuer that <paramref name="nameOrIssuer"/> names (its <c>Name</c> or its issuer), or null.</summary>
    public TokenIssuerOptions? FindIssuer(string nameOrIssuer) => _issuers.Select(i => i.Options).FirstOrDefault(i =>
        string.Equals(i.DisplayName, nameOrIssuer, StringComparison.Ordinal) || string.Equals(i.ExpectedIssuer, nameOrIssuer.TrimEnd('/'), StringComparison.Ordinal));

    /// <summary>
    /// The caller a JWT access token stands for, or a <see cref="HubException"/> saying why it is refused. A token whose
    /// signature, issuer and audience were verified once is remembered (the same text, up to <see cref="VerifiedTokensKept"/>
    /// tokens): its next calls skip the signature, while its lifetime and the deny list are checked on every call.
    /// </summary>
    public async Task<CallerIdentity> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (_verified.TryGetValue(token, out var known))
        {
            CheckLifetime(known.Issuer, known.ValidFrom, known.ValidTo);
            if (await _denied.IsDeniedAsync(known.Issuer.DisplayName, known.ClientId, cancellationToken))
                throw HubException.PermissionDenied("CALLER_SUSPENDED", $"caller '{known.Caller.Id}' is suspended in the hub");
            return known.Caller;
        }
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            throw HubException.Unauthenticated("CREDENTIALS_INVALID", "the bearer token is neither a token of the hub nor a JWT");
        }
        var tokenIssuer = jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var iss) ? iss.TrimEnd('/') : "";
        var (issuer, metadata) = _issuers.FirstOrDefault(i => string.Equals(i.Options.ExpectedIssuer, tokenIssuer, StringComparison.Ordinal));
        if (issuer is null)
            throw HubException.Unauthenticated("TOKEN_ISSUER_UNKNOWN", "the token's issuer (iss) is not one the hub accepts tokens from");
        if (!Algorithms.Contains(jwt.Alg))
            throw HubException.Unauthenticated("TOKEN_SIGNATURE_INVALID",
                $"the token is signed with '{jwt.Alg}'; the hub accepts only {string.Join(", ", Algorithms.Order())}");

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await metadata.GetAsync(cancellationToken);
            // A key the hub has not seen: the issuer may have rotated its keys since they were read.
            if (jwt.Kid is { Length: > 0 } kid && !IssuerMetadata.HoldsKey(configuration, kid))
                configuration = await metadata.RefreshForUnknownKeyAsync(configuration, cancellationToken);
        }
        catch (IssuerMetadataUnavailableException ex)
        {
            throw HubException.Unavailable("ISSUER_METADATA_UNAVAILABLE", $"{ex.Message}: the token cannot be checked; retry later");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuers = [issuer.ExpectedIssuer, issuer.ExpectedIssuer + "/"],
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            // The lifetime is checked below against the hub's clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!result.IsValid) throw Refusal(result.Exception);

        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _))
            throw HubException.Unauthenticated("TOKEN_INVALID", "the token has no expiry (exp)");
        CheckLifetime(issuer, jwt.ValidFrom, jwt.ValidTo);

        var caller = ToIdentity(issuer, jwt);
        var clientId = ClientId(jwt)!;
        if (await _denied.IsDeniedAsync(issuer.DisplayName, clientId, cancellationToken))
            throw HubException.PermissionDenied("CALLER_SUSPENDED", $"caller '{caller.Id}' is suspended in the hub");
        if (_verified.Count >= VerifiedTokensKept) _verified.Clear();
        _verified[token] = new VerifiedToken(issuer, caller, clientId, jwt.ValidFrom, jwt.ValidTo);
        return caller;
    }

    /// <summary>Refuses a token outside its lifetime (<c>nbf</c> to <c>exp</c>) on the hub's clock, within the issuer's clock skew.</summary>
    private void CheckLifetime(TokenIssuerOptions issuer, DateTime validFrom, DateTime validTo)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        if (validTo + issuer.ClockSkew < now)
            throw HubException.Unauthenticated("TOKEN_EXPIRED", "the access token has expired: get a new one from its issuer");
        if (validFrom != DateTime.MinValue && validFrom - issuer.ClockSkew > now)
            throw HubException.Unauthenticated("TOKEN_NOT_YET_VALID", "the access token is not valid yet (nbf): check the clocks of the issuer and the hub");
    }

    /// <summary>A token verified once: whom it stands for and its lifetime.</summary>
    private sealed record VerifiedToken(TokenIssuerOptions Issuer, CallerIdentity Caller, string ClientId, DateTime ValidFrom, DateTime ValidTo);

    private static HubException Refusal(Exception? error) => error switch
    {
        SecurityTokenInvalidAudienceException => HubException.Unauthenticated("TOKEN_AUDIENCE_INVALID",
            "the token's audience (aud) is not the hub's: ask the issuer for a token for the hub's audience"),
        SecurityTokenInvalidIssuerException => HubException.Unauthenticated("TOKEN_ISSUER_UNKNOWN",
            "the token's issuer (iss) is not one the hub accepts tokens from"),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException =>
            HubException.Unauthenticated("TOKEN_SIGNATURE_INVALID", "the token's signature does not verify with its issuer's keys"),
        _ => HubException.Unauthenticated("TOKEN_INVALID", "the access token is not valid"),
    };

    /// <summary>The client a token was issued to: <c>client_id</c>, else <c>azp</c>, else <c>sub</c>.</summary>
    private static string? ClientId(JsonWebToken jwt) =>
        Values(jwt, "client_id").Concat(Values(jwt, "azp")).Concat(Values(jwt, JwtRegisteredClaimNames.Sub)).FirstOrDefault();

    /// <summary>The caller a valid token stands for: <c>{issuer name}/{client id}</c> with the kind, scopes, regencies and office its claims grant.</summary>
    private static CallerIdentity ToIdentity(TokenIssuerOptions issuer, JsonWebToken jwt)
    {
        var clientId = ClientId(jwt) ?? throw HubException.PermissionDenied("TOKEN_CLAIMS_MISSING",
            "the access token names no client (client_id, azp or sub)");
        var id = $"{issuer.DisplayName}/{clientId}";
        var kindWord = Values(jwt, issuer.KindClaim).FirstOrDefault() ?? issuer.Kind
            ?? throw Missing($"the caller kind (claim '{issuer.KindClaim}')");
        if (!CallerKinds.TryParse(kindWord, out var kind))
            throw Missing($"a known caller kind in claim '{issuer.KindClaim}' ({CallerKinds.Words})");
        var regencies = Values(jwt, issuer.RegenciesClaim).ToList();
        if (regencies.Count == 0) regencies = [.. issuer.Regencies];
        if (regencies.Count == 0) throw Missing($"the regencies (claim '{issuer.RegenciesClaim}')");
        var office = Values(jwt, issuer.OfficeClaim).FirstOrDefault();
        if (kind == CallerKind.OfficeSystem && (office is null || regencies.Count != 1 || regencies[0] == CallerIdentity.AllRegencies))
            throw Missing($"an office (claim '{issuer.OfficeClaim}') and exactly one regency, as an office system must have");
        var granted = Values(jwt, issuer.ScopeClaim).ToList();
        if (granted.Count == 0 && issuer.ScopeClaim == "scope") granted = [.. Values(jwt, "scp")];
        return new CallerIdentity(id, kind, granted.Where(Scopes.All.Contains).ToFrozenSet(StringComparer.Ordinal),
            regencies.ToFrozenSet(StringComparer.Ordinal), office)
        {
            RateLimitPerSecond = issuer.RateLimitPerSecond,
        };

        HubException Missing(string what) =>
            HubException.PermissionDenied("TOKEN_CLAIMS_MISSING", $"the access token of '{id}' lacks {what}: configure the issuer to add it");
    }

    /// <summary>A claim's values: each item of an array, each word of a space- or comma-separated text.</summary>
    private static IEnumerable<string> Values(JsonWebToken jwt, string claim) => jwt.Claims
        .Where(c => c.Type == claim)
        .SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
