using EBakul.Hub.Errors;

namespace EBakul.Hub.Access;

/// <summary>
/// Reads the <c>authorization: Bearer ...</c> header and finds the caller it names: a token of the hub
/// (<c>ebk.{credential id}.{secret}</c>, issued by <c>callers add</c>) goes to the <see cref="CredentialStore"/>; a JWT
/// (three dot-separated parts) goes to the configured issuers (<see cref="AccessTokenValidator"/>).
/// </summary>
public sealed class CallerAuthentication(CredentialStore credentials, AccessTokenValidator accessTokens)
{
    /// <summary>The longest JWT access token the hub reads, characters; a longer one is refused as malformed.</summary>
    public const int MaxAccessTokenLength = 16 * 1024;

    /// <summary>The caller the header's bearer token authenticates, or a <see cref="HubException"/> (UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE).</summary>
    public async Task<CallerIdentity> AuthenticateAsync(string? header, CancellationToken cancellationToken)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw HubException.Unauthenticated("CREDENTIALS_MISSING",
                "send 'authorization: Bearer <token>': a token issued by the hub's 'callers add' command or an access token of a configured issuer");
        var token = header["Bearer ".Length..].Trim();
        if (IsAccessToken(token))
        {
            if (token.Length > MaxAccessTokenLength)
                throw HubException.Unauthenticated("CREDENTIALS_MALFORMED",
                    $"the bearer token has {token.Length} characters; the hub reads access tokens of at most {MaxAccessTokenLength}");
            return await accessTokens.AuthenticateAsync(token, cancellationToken);
        }
        if (token.Length > CredentialStore.MaxTokenLength)
            throw HubException.Unauthenticated("CREDENTIALS_MALFORMED",
                $"the bearer token has {token.Length} characters; the hub's tokens have at most {CredentialStore.MaxTokenLength}: send the token 'callers add' printed");
        return await credentials.AuthenticateAsync(token, cancellationToken)
            ?? throw HubException.Unauthenticated("CREDENTIALS_INVALID", "the bearer token is unknown, malformed or revoked");
    }

    /// <summary>Whether a token is a JWT rather than one of the hub's: three non-empty dot-separated parts (a signature-less <c>alg none</c> token too), not starting <c>ebk.</c>.</summary>
    public static bool IsAccessToken(string token) =>
        !token.StartsWith("ebk.", StringComparison.Ordinal) && token.Count(c => c == '.') == 2 && token.IndexOf('.') > 0;
}
