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
}
