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
    public X509Certificate2 Current
    {
        get
        {
            var stamp = Stamp();
            var reading = _reading;
            if (stamp == reading.Stamp) return reading.Certificate;
            lock (_reload)
            {
                reading = _reading;
                if (stamp == reading.Stamp) return reading.Certificate;
                try
                {
                    var loaded = Load();
                    _reading = new Reading(stamp, loaded);
                    _logger.LogInformation("Certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}, SHA-256 {Thumbprint}",
                        _path, loaded.Subject, loaded.NotAfter.ToUniversalTime(), loaded.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    _logger.LogWarning("Certificate {Path} changed but does not load ({Error}); the previous one stays in use", _path, ex.Message);
                }
                return _reading.Certificate;
            }
        }
    }

    private X509Certificate2 Load() => _keyPath is not null
        ? _password is null ? X509Certificate2.CreateFromPemFile(_path, _keyPath) : X509Certificate2.CreateFromEncryptedPemFile(_path, _password, _keyPath)
        : X509CertificateLoader.LoadPkcs12FromFile(_path, _password);

    /// <summary>The files' modification times and sizes, and the certificate read from them.</summary>
    private sealed record Reading((DateTime, long, DateTime, long) Stamp, X509Certificate2 Certificate);

    private (DateTime, long, DateTime, long) Stamp()
    {
        var certificate = new FileInfo(_path);
        var key = _keyPath is null ? null : new FileInfo(_keyPath);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key is { Exists: true } ? key.LastWriteTimeUtc : default, key is { Exists: true } ? key.Length : -1);
    }
}
