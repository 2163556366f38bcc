using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EBakul.Hub.Hosting;

/// <summary>
/// A certificate with its private key read from files (a PEM pair, or a PKCS#12 file with its password) and read again
/// when they change on disk: each <see cref="Current"/> compares the files' modification times and sizes with those of
/// the last reading, a stat per TLS handshake. A renewal tool that replaces the files (certbot, an ACME client, a
/// regency's own CA script) is seen at the next handshake, without a restart. Files that do not load (a renewal caught
/// half-written, a key that does not match) leave the previous certificate in use and are tried again at the next
/// handshake.
/// </summary>
public sealed class ReloadingCertificate
{
    private readonly string _path;
    private readonly string? _keyPath;
    private readonly string? _password;
    private readonly ILogger _logger;
    private readonly Lock _reload = new();
    private volatile Reading _reading;

    /// <summary>Reads the files now; throws when they do not hold a certificate with its key.</summary>
    public ReloadingCertificate(string path, string? keyPath, string? password, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _keyPath = string.IsNullOrEmpty(keyPath) ? null : Path.GetFullPath(keyPath);
        _password = string.IsNullOrEmpty(password) ? null : password;
        _logger = logger;
        _reading = new Reading(Stamp(), Load());
    }

    /// <summary>The certificate in the files now (the previous one while they do not load).</summary>
    public X509Certificate2 Current => Read().Certificate;

    /// <summary>
    /// <see cref="Current"/> with the certificates that follow it in a PEM file (its chain, sent to clients with it),
    /// as a server presents it; built offline (no download of missing issuers).
    /// </summary>
    public SslStreamCertificateContext ServerContext => Read().ServerContext;

    private Reading Read()
    {
        var stamp = Stamp();
        var reading = _reading;
        if (stamp == reading.Stamp) return reading;
        lock (_reload)
        {
            reading = _reading;
            if (stamp == reading.Stamp) return reading;
            try
            {
                _reading = new Reading(stamp, Load());
                var loaded = _reading.Certificate;
                _logger.LogInformation("Certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}, SHA-256 {Thumbprint}",
                    _path, loaded.Subject, loaded.NotAfter.ToUniversalTime(), loaded.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                _logger.LogWarning("Certificate {Path} changed but does not load ({Error}); the previous one stays in use", _path, ex.Message);
            }
            return _reading;
        }
    }

    private (X509Certificate2, SslStreamCertificateContext) Load()
    {
        if (_keyPath is null)
        {
            var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(_path, _password);
            var withKey = all.FirstOrDefault(c => c.HasPrivateKey) ?? throw new ArgumentException($"{_path} holds no certificate with its private key");
            return (withKey, SslStreamCertificateContext.Create(withKey, [.. all.Where(c => !c.HasPrivateKey)], offline: true));
        }
        var certificate = _password is null ? X509Certificate2.CreateFromPemFile(_path, _keyPath) : X509Certificate2.CreateFromEncryptedPemFile(_path, _password, _keyPath);
        var inFile = new X509Certificate2Collection();
        inFile.ImportFromPemFile(_path);
        var chain = new X509Certificate2Collection(inFile.Where(c => c.Thumbprint != certificate.Thumbprint).ToArray());
        return (certificate, SslStreamCertificateContext.Create(certificate, chain, offline: true));
    }

    /// <summary>The files' modification times and sizes, and the certificate read from them.</summary>
    private sealed record Reading((DateTime, long, DateTime, long) Stamp, X509Certificate2 Certificate, SslStreamCertificateContext ServerContext)
    {
        public Reading((DateTime, long, DateTime, long) stamp, (X509Certificate2 Certificate, SslStreamCertificateContext Context) loaded)
            : this(stamp, loaded.Certificate, loaded.Context)
        {
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        var certificate = new FileInfo(_path);
        var key = _keyPath is null ? null : new FileInfo(_keyPath);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key is { Exists: true } ? key.LastWriteTimeUtc : default, key is { Exists: true } ? key.Length : -1);
    }
}
