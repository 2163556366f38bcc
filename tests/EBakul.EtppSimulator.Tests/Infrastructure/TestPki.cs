using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EBakul.EtppSimulator.Tests.Infrastructure;

/// <summary>A certificate and its private key written as PEM files, and the certificate itself.</summary>
public sealed record PemPair(string CertificatePath, string KeyPath, X509Certificate2 Certificate)
{
    /// <summary>The certificate's SHA-256 thumbprint (upper-case hex), as an admin binds it.</summary>
    public string Sha256Thumbprint => Certificate.GetCertHashString(HashAlgorithmName.SHA256);
}

/// <summary>
/// A certificate authority made for one test (ECDSA P-256, valid from an hour ago for a day) with its certificate in
/// <see cref="AuthorityPath"/> (PEM), and leaf certificates it issues: servers with the names <c>127.0.0.1</c> and
/// <c>localhost</c>, clients with a common name. Everything is written under <see cref="Folder"/>, removed on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A new authority named <paramref name="name"/>, in a new temporary folder.</summary>
    public TestPki(string name = "e-Bakul test CA")
    {
        Folder = Directory.CreateTempSubdirectory("ebakul-pki-").FullName;
        var request = new CertificateRequest($"CN={name}", _authorityKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Authority = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        AuthorityPath = Path.Combine(Folder, "ca.pem");
        File.WriteAllText(AuthorityPath, Authority.ExportCertificatePem());
    }

    /// <summary>The folder holding the PEM files.</summary>
    public string Folder { get; }

    /// <summary>The authority's certificate.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The authority's certificate as a PEM file (the CA bundle a server or client trusts).</summary>
    public string AuthorityPath { get; }

    /// <summary>
    /// A server certificate for <c>127.0.0.1</c> and <c>localhost</c>, written as <c>{file}.pem</c> and <c>{file}.key</c>
    /// (replacing the files of an earlier one of the same name, as a renewal does). With
    /// <paramref name="throughIntermediate"/>, issued by an intermediate authority the root issues, whose certificate
    /// follows the leaf in <c>{file}.pem</c>: a client trusting the root alone (and downloading nothing) accepts it only
    /// when the server sends that chain.
    /// </summary>
    public PemPair IssueServer(string file, bool throughIntermediate = false)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        return Issue(file, "localhost", "1.3.6.1.5.5.7.3.1", names.Build(), throughIntermediate);
    }

    /// <summary>A client certificate with the subject <c>CN={commonName}</c>, written as <c>{file}.pem</c> and <c>{file}.key</c>.</summary>
    public PemPair IssueClient(string file, string commonName) => Issue(file, commonName, "1.3.6.1.5.5.7.3.2", null);

    /// <summary>
    /// A handler that trusts this authority alone (no revocation check) and, when given, presents
    /// <paramref name="clientCertificate"/>.
    /// </summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = ClientOptions(clientCertificate) };
        return handler;
    }

    /// <summary>TLS client options that trust this authority alone and, when given, present <paramref name="clientCertificate"/>.</summary>
    public SslClientAuthenticationOptions ClientOptions(X509Certificate2? clientCertificate = null)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(Authority);
        var options = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        return options;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _authorityKey.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private PemPair Issue(string file, string commonName, string purpose, X509Extension? names, bool throughIntermediate = false)
    {
        using var intermediateKey = throughIntermediate ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        X509Certificate2? intermediate = null;
        if (intermediateKey is not null)
        {
            var authority = new CertificateRequest("CN=e-Bakul test intermediate CA", intermediateKey, HashAlgorithmName.SHA256);
            authority.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            authority.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            authority.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authority.PublicKey, false));
            var from = DateTimeOffset.UtcNow;
            using var issuedAuthority = authority.Create(Authority, from.AddHours(-1), from.AddHours(20), RandomNumberGenerator.GetBytes(8));
            intermediate = issuedAuthority.CopyWithPrivateKey(intermediateKey);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid(purpose)], false));
        if (names is not null) request.CertificateExtensions.Add(names);
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(intermediate ?? Authority, now.AddHours(-1), now.AddHours(12), serial);
        var certificate = issued.CopyWithPrivateKey(key);
        var pair = new PemPair(Path.Combine(Folder, file + ".pem"), Path.Combine(Folder, file + ".key"), certificate);
        // Written beside and moved into place, as a renewal tool does: a reader never sees half a file.
        Replace(pair.KeyPath, key.ExportPkcs8PrivateKeyPem());
        Replace(pair.CertificatePath, certificate.ExportCertificatePem() + (intermediate is null ? "" : "\n" + intermediate.ExportCertificatePem()));
        intermediate?.Dispose();
        return pair;
    }

    private static void Replace(string path, string content)
    {
        var next = path + ".next";
        File.WriteAllText(next, content);
        File.Move(next, path, overwrite: true);
    }
}
