using Microsoft.Extensions.Options;

namespace EBakul.Hub.Access;

/// <summary>Access settings (configuration section <c>Access</c>).</summary>
public sealed class AccessOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Access";

    /// <summary>
    /// When the hub has no caller at all, create a local development caller with every scope on every regency
    /// and print its token (also written beside the database file). Turn off in production.
    /// </summary>
    public bool CreateDevelopmentCredential { get; set; } = true;

    /// <summary>Calls per second for a caller registered without its own limit.</summary>
    public int DefaultRateLimitPerSecond { get; set; } = 200;

    /// <summary>
    /// Client certificates bound to e-TPP callers (<c>Access:EtppClientCertificates:&lt;caller id&gt;</c>): the SHA-256
    /// thumbprint of the certificate (hex, colons and spaces ignored), or its subject (<c>CN=...</c>, as
    /// <c>openssl x509 -subject -nameopt RFC2253</c> prints it; then <see cref="ClientCertificateAuthorities"/> must be set).
    /// A bound caller's calls of the e-TPP methods (pull and acknowledge adjustments) need that certificate on the TLS
    /// connection. Empty by default.
    /// </summary>
    public Dictionary<string, string> EtppClientCertificates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether an e-TPP caller without a bound client certificate is refused too. Default false.</summary>
    public bool RequireEtppClientCertificate { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities e-TPP's client certificates must be issued by (checked offline: no
    /// revocation lookup). Unset: a certificate bound by thumbprint is checked by its thumbprint alone.
    /// </summary>
    public string? ClientCertificateAuthorities { get; set; }

    /// <summary>Whether the TLS endpoints ask clients for a certificate (some e-TPP caller is bound to one, or all must be).</summary>
    public bool ClientCertificatesInUse => EtppClientCertificates.Count > 0 || RequireEtppClientCertificate;

    /// <summary>
    /// OAuth 2.0 / OpenID Connect issuers whose JWT access tokens the hub accepts beside its own tokens
    /// (<c>Access:Issuers:0:Authority</c>, ...). None by default.
    /// </summary>
    public List<TokenIssuerOptions> Issuers { get; set; } = [];
}

/// <summary>
/// One issuer of JWT access tokens (<c>Access:Issuers:N</c>): where its OpenID Connect discovery document is, the audience
/// its tokens must name, and which claims carry what the hub's own callers have in the <c>callers</c> table.
/// </summary>
public sealed class TokenIssuerOptions
{
    /// <summary>
    /// The issuer's base address, e.g. <c>https://sso.bojonegorokab.go.id/realms/ebakul</c>; its discovery document is
    /// <c>{Authority}/.well-known/openid-configuration</c>. Required.
    /// </summary>
    public string Authority { get; set; } = "";

    /// <summary>The <c>iss</c> its tokens carry, when it differs from <see cref="Authority"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// A short name for the issuer (e.g. <c>keycloak</c>, <c>splp</c>): its callers are <c>{Name}/{client id}</c> in
    /// <c>recorded_by</c> and the audit trail, and <c>callers deny --issuer</c> takes it. Default: the issuer itself.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The audience (<c>aud</c>) tokens for the hub must name, e.g. <c>https://hub.ebakul.bojonegorokab.go.id</c>. Required.</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim holding the granted scopes: space-separated text or an array. Default <c>scope</c>; <c>scp</c> is read when it is missing.</summary>
    public string ScopeClaim { get; set; } = "scope";

    /// <summary>The claim holding the regencies (kode wilayah, or <c>*</c>): space- or comma-separated text or an array.</summary>
    public string RegenciesClaim { get; set; } = "ebakul_regencies";

    /// <summary>Regencies every client of this issuer gets when its token has no <see cref="RegenciesClaim"/> (e.g. <c>35.22</c>).</summary>
    public string[] Regencies { get; set; } = [];

    /// <summary>The claim holding an office system's office code.</summary>
    public string OfficeClaim { get; set; } = "ebakul_office";

    /// <summary>The claim holding the caller kind (<c>etpp</c>, <c>office</c>, <c>app</c>, <c>province</c>, <c>regency</c>, <c>admin</c>).</summary>
    public string KindClaim { get; set; } = "ebakul_kind";

    /// <summary>The kind every client of this issuer has when its token has no <see cref="KindClaim"/> (same words).</summary>
    public string? Kind { get; set; }

    /// <summary>Calls per second for each client of this issuer (0: <see cref="AccessOptions.DefaultRateLimitPerSecond"/>).</summary>
    public int RateLimitPerSecond { get; set; }

    /// <summary>How far a token's expiry (<c>exp</c>) and start (<c>nbf</c>) may be off the hub's clock. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the discovery document and the keys must come over HTTPS. On by default; an <c>http://</c> authority on
    /// loopback (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>) is allowed either way.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How often the discovery document and keys are read again on their own. Default 1 hour.</summary>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two reads of the keys: a token signed with a key the hub does not know makes it read
    /// them again (the issuer rotated its keys), at most this often. Default 10 seconds.
    /// </summary>
    public TimeSpan MinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The issuer as its tokens name it (<see cref="Issuer"/>, or <see cref="Authority"/> without a trailing slash).</summary>
    public string ExpectedIssuer => (Issuer ?? Authority).TrimEnd('/');

    /// <summary>What the hub calls this issuer (<see cref="Name"/>, or <see cref="ExpectedIssuer"/>).</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? ExpectedIssuer : Name;
}


/// <summary>Refuses <see cref="AccessOptions"/> whose issuers have <see cref="AccessTokenValidator.Problems"/>.</summary>
internal sealed class ValidateAccessOptions : IValidateOptions<AccessOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AccessOptions options) =>
        AccessTokenValidator.Problems(options).ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
