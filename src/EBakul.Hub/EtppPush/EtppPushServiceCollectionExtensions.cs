using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EBakul.Hub.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.EtppPush;

/// <summary>Registers <see cref="EtppClient"/>.</summary>
public static class EtppPushServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EtppClient"/> as a typed HTTP client configured from the <c>EtppPush</c> section
    /// (<see cref="EtppPushOptions"/>). The options are checked when the client is first created. Returns the
    /// client builder so that handlers can be added around it.
    /// </summary>
    public static IHttpClientBuilder AddEtppClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EtppPushOptions>()
            .Bind(configuration.GetSection(EtppPushOptions.Section))
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true } uri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps),
                $"{EtppPushOptions.Section}:BaseAddress must be an absolute http or https URL")
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{EtppPushOptions.Section}:Timeout must be positive");
        services.TryAddSingleton(TimeProvider.System);

        return services.AddHttpClient<EtppClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<EtppPushOptions>>().Value;
                var baseAddress = options.BaseAddress!.AbsoluteUri;
                // Relative paths resolve under the base address only when it ends with a slash.
                http.BaseAddress = new Uri(baseAddress.EndsWith('/') ? baseAddress : baseAddress + "/");
                http.Timeout = options.Timeout;
                http.DefaultRequestVersion = HttpVersion.Version11;
                http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ebakul-hub", "1.0"));
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // A redirect is not an answer: a payroll correction is never re-sent somewhere else on a 3xx.
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = TlsOptions(provider.GetRequiredService<IOptions<EtppPushOptions>>().Value,
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger<EtppClient>()),
            });
    }

    /// <summary>
    /// TLS towards e-TPP: the client certificate to present (read again when its files change, seen by the next connection:
    /// connections are renewed every five minutes), and the authorities e-TPP's certificate must be issued by.
    /// </summary>
    private static SslClientAuthenticationOptions TlsOptions(EtppPushOptions options, ILogger logger)
    {
        var tls = new SslClientAuthenticationOptions();
        if (!string.IsNullOrWhiteSpace(options.ServerCertificateAuthorities))
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            policy.CustomTrustStore.ImportFromPemFile(options.ServerCertificateAuthorities);
            if (policy.CustomTrustStore.Count == 0)
                throw new InvalidOperationException($"{EtppPushOptions.Section}:ServerCertificateAuthorities ({options.ServerCertificateAuthorities}) holds no certificate");
            tls.CertificateChainPolicy = policy;
        }
        if (options.ClientCertificate is { Path: { Length: > 0 } path } file)
        {
            var certificate = new ReloadingCertificate(path, file.KeyPath, file.Password, logger);
            tls.ClientCertificates = [certificate.Current];
            tls.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Current;
        }
        return tls;
    }
}
