namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's Kestrel endpoints (<c>Kestrel:Endpoints</c> in appsettings.json):
/// <list type="bullet">
/// <item><c>Grpc</c>: HTTP/2 only, for gRPC callers (cleartext HTTP/2 cannot share a port with HTTP/1.1);</item>
/// <item><c>Http</c>: HTTP/1.1 in cleartext, HTTP/1.1 and HTTP/2 on TLS (<see cref="HubTls"/>), for what a browser or
/// <c>curl</c> asks of the callers' surface (JSON, gRPC-Web, pages);</item>
/// <item><c>Management</c>: the operations surface apart from the callers' (metrics, HTTP health), loopback by default.</item>
/// </list>
/// Routes marked with <see cref="OnHttpEndpoint{TBuilder}"/>, and the transcoded JSON routes, answer only on the <c>Http</c>
/// endpoint: asked on the gRPC endpoint's port they answer 404, as if they were not there. Routes marked with
/// <see cref="OnManagementEndpoint{TBuilder}"/> answer 404 on the two callers' ports, and the management port answers
/// nothing else.
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

    /// <summary>The setting holding the management endpoint's address.</summary>
    public const string ManagementUrlSetting = "Kestrel:Endpoints:Management:Url";

    /// <summary>Marks routes that are served on the HTTP endpoint only.</summary>
    public static TBuilder OnHttpEndpoint<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(HttpEndpointOnly.Instance);

    /// <summary>Marks routes that are served on the management endpoint only (operations: metrics, health).</summary>
    public static TBuilder OnManagementEndpoint<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ManagementEndpointOnly.Instance);

    /// <summary>
    /// Answers 404 for a route marked <see cref="OnHttpEndpoint{TBuilder}"/> asked on the gRPC endpoint's port, for a route
    /// marked <see cref="OnManagementEndpoint{TBuilder}"/> asked on either callers' port, and for every other route asked on
    /// the management port.
    /// </summary>
    public static WebApplication UseEndpointRouteSeparation(this WebApplication app)
    {
        var grpcPort = PortOf(app.Configuration[GrpcUrlSetting]);
        var httpPort = PortOf(app.Configuration[HttpUrlSetting]);
        var managementPort = PortOf(app.Configuration[ManagementUrlSetting]);
        app.Use((context, next) =>
        {
            var port = context.Connection.LocalPort;
            var endpoint = context.GetEndpoint();
            var management = endpoint?.Metadata.GetMetadata<ManagementEndpointOnly>() is not null;
            var refused = port == managementPort ? !management
                : management ? port == grpcPort || port == httpPort
                : port == grpcPort && endpoint is not null
                  && (endpoint.Metadata.GetMetadata<HttpEndpointOnly>() is not null || HttpJsonApi.IsTranscoded(endpoint));
            if (refused)
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

    private sealed class ManagementEndpointOnly
    {
        public static readonly ManagementEndpointOnly Instance = new();
    }
}
