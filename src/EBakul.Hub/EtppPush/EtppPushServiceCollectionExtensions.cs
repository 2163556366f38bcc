using System.Net;
using System.Net.Http.Headers;
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
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect is not an answer: a payroll correction is never re-sent somewhere else on a 3xx.
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
    }
}
