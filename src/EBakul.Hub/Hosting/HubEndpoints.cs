namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's two Kestrel endpoints (<c>Kestrel:Endpoints</c> in appsettings.json):
/// <list type="bullet">
/// <item><c>Grpc</c>: cleartext HTTP/2 only, for gRPC callers (cleartext HTTP/2 cannot share a port with HTTP/1.1);</item>
/// <item><c>Http</c>: HTTP/1.1 by default (HTTP/2 too when given TLS), for whatever a browser, <c>curl</c> or a scraper asks
/// (JSON, pages, metrics, health).</item>
/// </list>
/// Routes marked with <see cref="OnHttpEndpoint{TBuilder}"/>, and the transcoded JSON routes, answer only on the <c>Http</c> endpoint: asked on the gRPC
/// endpoint's port they answer 404, as if they were not there.
/// </summary>
public static class HubEndpoints
{
    /// <summary>
    /// The most bytes of request headers either endpoint reads (Kestrel's <c>MaxRequestHeadersTotalSize</c>, and on HTTP/2
    /// <c>MaxRequestHeaderFieldSize</c>; Kestrel's defaults are 32 and 16 KiB). Raised so that an oversized bearer token
    /// still reaches the hub and is refused UNAUTHENTICATED <c>CREDENTIALS_MALFORMED</c>
    /// (<see cref="Access.CredentialStore.MaxTokenLength"/>) rather than by the transport; a header block larger than
    /// this is refused by Kestrel itself with HTTP 431 (docs/access.md, "Limits").
    /// </summary>
    public const int MaxRequestHeaderBytes = 256 * 1024;

    /// <summary>
    /// Applies <see cref="MaxRequestHeaderBytes"/> to Kestrel. On HTTP/2 one header field may be four times that before
    /// the HPACK decoder gives up: a field between the two limits is refused on its own stream (HTTP 431), whereas a field
    /// past the decoder's limit closes the whole connection (<c>COMPRESSION_ERROR</c>), failing the other calls on it.
    /// </summary>
    public static WebApplicationBuilder LimitRequestHeaders(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeaderBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 4 * MaxRequestHeaderBytes;
        });
        return builder;
    }

    /// <summary>The setting holding the gRPC endpoint's address.</summary>
    public const string GrpcUrlSetting = "Kestrel:Endpoints:Grpc:Url";

    /// <summary>The setting holding the HTTP endpoint's address.</summary>
    public const string HttpUrlSetting = "Kestrel:Endpoints:Http:Url";

    /// <summary>Marks routes that are served on the HTTP endpoint only.</summary>
    public static TBuilder OnHttpEndpoint<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(HttpEndpointOnly.Instance);

    /// <summary>Answers 404 for a route marked <see cref="OnHttpEndpoint{TBuilder}"/> asked on the gRPC endpoint's port.</summary>
    public static WebApplication UseHttpEndpointOnlyRoutes(this WebApplication app)
    {
        var grpcPort = PortOf(app.Configuration[GrpcUrlSetting]);
        if (grpcPort is not { } port) return app;
        app.Use((context, next) =>
        {
            if (context.Connection.LocalPort == port && context.GetEndpoint() is { } endpoint
                && (endpoint.Metadata.GetMetadata<HttpEndpointOnly>() is not null || HttpJsonApi.IsTranscoded(endpoint)))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        return app;
    }

    private static int? PortOf(string? url) =>
        Uri.TryCreate(url?.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && uri.Port > 0 ? uri.Port : null;

    private sealed class HttpEndpointOnly
    {
        public static readonly HttpEndpointOnly Instance = new();
    }
}
