namespace EBakul.Hub.Hosting;

/// <summary>Where browsers may call the hub from (<c>Cors</c> in appsettings.json). Empty: no cross-origin call is allowed.</summary>
public sealed class CorsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Cors";

    /// <summary>Origins allowed to call, e.g. <c>https://ebakul.bojonegorokab.go.id</c>. None by default.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// gRPC-Web for browsers, which cannot speak gRPC's HTTP/2 trailers: every gRPC service also answers gRPC-Web
/// (<c>application/grpc-web</c> and <c>application/grpc-web-text</c>), on the <c>Http</c> endpoint where browsers
/// speak HTTP/1.1. Cross-origin calls are refused unless <c>Cors:AllowedOrigins</c> lists the page's origin; the
/// same bearer token, scopes and errors apply as over gRPC.
/// </summary>
public static class BrowserAccess
{
    /// <summary>The response headers a browser page must be allowed to read to see a call's status and details.</summary>
    private static readonly string[] GrpcResponseHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding"];

    /// <summary>Registers gRPC-Web and, when origins are configured, the CORS policy allowing them.</summary>
    public static WebApplicationBuilder AddBrowserAccess(this WebApplicationBuilder builder)
    {
        var cors = builder.Configuration.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        if (cors.AllowedOrigins.Length > 0)
            builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
                .WithOrigins(cors.AllowedOrigins)
                .WithMethods("POST")
                .AllowAnyHeader()
                .WithExposedHeaders(GrpcResponseHeaders)));
        return builder;
    }

    /// <summary>Answers gRPC-Web on every gRPC service, and applies the CORS policy when one is configured.</summary>
    public static WebApplication UseBrowserAccess(this WebApplication app)
    {
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        if (app.Configuration.GetSection(CorsOptions.Section).Get<CorsOptions>() is { AllowedOrigins.Length: > 0 })
            app.UseCors();
        return app;
    }
}
