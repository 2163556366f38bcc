using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EBakul.Hub.Errors;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Access;

/// <summary>
/// Mutual TLS for e-TPP: the client certificate an e-TPP caller must present, on the TLS connection of its call, to pull
/// or acknowledge adjustments (<see cref="Scopes.EtppOnly"/>), as <see cref="AccessOptions.EtppClientCertificates"/>
/// binds it. The bearer token still names the caller; the certificate proves the call comes from e-TPP's machine. Checked
/// offline: against <see cref="AccessOptions.ClientCertificateAuthorities"/> when set, at the hub's time, without
/// revocation lookup (the hub's machines have no outside network). Refusals are PERMISSION_DENIED.
/// </summary>
public sealed class EtppClientCertificates
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly Dictionary<string, Binding> _bindings;
    private readonly bool _requireAll;
    private readonly X509Certificate2Collection? _authorities;
    private readonly TimeProvider _clock;

    /// <summary>Reads the bindings and the authorities; throws on a binding it cannot use.</summary>
    public EtppClientCertificates(IOptions<AccessOptions> options, TimeProvider clock)
    {
        var access = options.Value;
        _clock = clock;
        _requireAll = access.RequireEtppClientCertificate;
        if (!string.IsNullOrWhiteSpace(access.ClientCertificateAuthorities))
        {
            _authorities = [];
            _authorities.ImportFromPemFile(access.ClientCertificateAuthorities);
            if (_authorities.Count == 0)
                throw new InvalidOperationException($"{AccessOptions.Section}:ClientCertificateAuthorities ({access.ClientCertificateAuthorities}) holds no certificate");
        }
        _bindings = access.EtppClientCertificates.ToDictionary(b => b.Key, b => Binding.Parse(b.Key, b.Value, _authorities is not null), StringComparer.Ordinal);
    }

    /// <summary>
    /// Refuses a call of <paramref name="method"/> by an e-TPP <paramref name="caller"/> whose connection did not present
    /// the certificate bound to it (<paramref name="presented"/>: the connection's client certificate, if any).
    /// </summary>
    public void Require(CallerIdentity caller, string method, X509Certificate2? presented)
    {
        if (!_bindings.TryGetValue(caller.Id, out var binding))
        {
            if (_requireAll)
                throw HubException.PermissionDenied("CLIENT_CERTIFICATE_NOT_BOUND",
                    $"caller '{caller.Id}' has no client certificate bound (Access:EtppClientCertificates:{caller.Id}) and {method} requires one");
            return;
        }
        if (presented is null)
            throw HubException.PermissionDenied("CLIENT_CERTIFICATE_MISSING",
                $"caller '{caller.Id}' must present its client certificate on a TLS connection to call {method}");
        if (_authorities is not null && !IssuedByAuthorities(presented))
            throw HubException.PermissionDenied("CLIENT_CERTIFICATE_UNTRUSTED",
                "the client certificate presented is expired, not yet valid, not for client authentication or not issued by the authorities of Access:ClientCertificateAuthorities");
        if (!binding.Matches(presented))
            throw HubException.PermissionDenied("CLIENT_CERTIFICATE_MISMATCH",
                $"the client certificate presented is not the one bound to caller '{caller.Id}' (Access:EtppClientCertificates:{caller.Id})");
    }

    private bool IssuedByAuthorities(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }

    /// <summary>One caller's certificate: its SHA-256 thumbprint, or its subject.</summary>
    private sealed record Binding(byte[]? Thumbprint, X500DistinguishedName? Subject)
    {
        public static Binding Parse(string callerId, string value, bool withAuthorities)
        {
            var setting = $"{AccessOptions.Section}:EtppClientCertificates:{callerId}";
            var trimmed = value.Trim();
            if (trimmed.Contains('='))
            {
                if (!withAuthorities)
                    throw new InvalidOperationException($"{setting} binds a subject: set {AccessOptions.Section}:ClientCertificateAuthorities too (anyone can make a certificate with any subject)");
                return new Binding(null, new X500DistinguishedName(trimmed));
            }
            var hex = trimmed.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                throw new InvalidOperationException($"{setting} must be a SHA-256 thumbprint (64 hex digits) or a subject (CN=...)");
            return new Binding(Convert.FromHexString(hex), null);
        }

        public bool Matches(X509Certificate2 certificate) => Thumbprint is not null
            ? CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), Thumbprint)
            : certificate.SubjectName.RawData.AsSpan().SequenceEqual(Subject!.RawData)
              || string.Equals(certificate.SubjectName.Format(false), Subject!.Format(false), StringComparison.OrdinalIgnoreCase);
    }
}
