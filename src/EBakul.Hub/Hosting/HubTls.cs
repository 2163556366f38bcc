using EBakul.Hub.Access;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EBakul.Hub.Hosting;

/// <summary>
/// TLS on the hub's endpoints, turned on per endpoint by Kestrel's own settings: an <c>https://</c> URL and a certificate
/// (<c>Kestrel:Endpoints:{Grpc|Http|Management}:Certificate:Path</c> and <c>:KeyPath</c> for a PEM pair, or <c>:Path</c> and
/// <c>:Password</c> for a PKCS#12 file). On top of Kestrel's handling:
/// <list type="bullet">
/// <item>the <c>Http</c> and <c>Management</c> endpoints speak HTTP/1.1 in cleartext and, on TLS, HTTP/1.1 and HTTP/2
/// (negotiated by ALPN), unless their <c>Protocols</c> setting says otherwise;</item>
/// <item>a certificate given by files is read again when the files change (<see cref="ReloadingCertificate"/>): a renewed
/// certificate is served from the next handshake on, without a restart;</item>
/// <item>when e-TPP callers are bound to client certificates (<see cref="AccessOptions.ClientCertificatesInUse"/>), the
/// <c>Grpc</c> and <c>Http</c> endpoints ask every client for a certificate without requiring one
/// (<see cref="ClientCertificateMode.AllowCertificate"/>, no revocation lookup); <see cref="EtppClientCertificates"/>
/// decides per call.</item>
/// </list>
/// Without a certificate an endpoint stays cleartext, as the default loopback endpoints are.
/// </summary>
public static class HubTls
{
    /// <summary>The endpoints whose certificates and protocols this configures.</summary>
    private static readonly string[] Endpoints = ["Grpc", "Http", "Management"];

    /// <summary>Binds Kestrel's endpoints from the <c>Kestrel</c> section with the additions above.</summary>
    public static WebApplicationBuilder AddHubTls(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HubTls).FullName!);
            // Kestrel's own reload would unbind and bind an endpoint again when its certificate files change, closing its
            // connections; the certificate is reloaded per handshake instead, and the other endpoint settings are read at start.
            var loader = kestrel.Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: false);
            foreach (var name in Endpoints)
                loader.Endpoint(name, endpoint => Configure(name, endpoint, context.Configuration, context.HostingEnvironment.ContentRootPath, logger));
        });
        return builder;
    }

    private static void Configure(string name, EndpointConfiguration endpoint, IConfiguration configuration, string contentRoot, ILogger logger)
    {
        if (name != "Grpc" && string.IsNullOrEmpty(endpoint.ConfigSection["Protocols"]))
            endpoint.ListenOptions.Protocols = endpoint.IsHttps ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        if (!endpoint.IsHttps) return;

        var certificate = endpoint.ConfigSection.GetSection("Certificate");
        if (certificate["Path"] is { Length: > 0 } path)
        {
            // Relative paths are relative to the content root, as Kestrel reads them.
            var keyPath = certificate["KeyPath"] is { Length: > 0 } key ? Path.Combine(contentRoot, key) : null;
            var reloading = new ReloadingCertificate(Path.Combine(contentRoot, path), keyPath, certificate["Password"], logger);
            // Per connection, after Kestrel has filled in the handshake's options (protocols, client certificates): the
            // certificate in the files now, with the chain that follows it there.
            endpoint.HttpsOptions.OnAuthenticate = (_, tls) =>
            {
                tls.ServerCertificateSelectionCallback = null;
                tls.ServerCertificate = null;
                tls.ServerCertificateContext = reloading.ServerContext;
            };
        }

        var access = configuration.GetSection(AccessOptions.Section).Get<AccessOptions>() ?? new AccessOptions();
        if (name != "Management" && access.ClientCertificatesInUse && endpoint.HttpsOptions.ClientCertificateMode == ClientCertificateMode.NoCertificate)
        {
            endpoint.HttpsOptions.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            // Any certificate completes the handshake (an office's client may present one of its own); whether it is
            // e-TPP's is decided per call, with a precise refusal rather than a failed handshake.
            endpoint.HttpsOptions.ClientCertificateValidation = (_, _, _) => true;
            endpoint.HttpsOptions.CheckCertificateRevocation = false;
        }
    }
}
