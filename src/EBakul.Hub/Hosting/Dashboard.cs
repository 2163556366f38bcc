using System.Reflection;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The reports dashboard at <c>/dashboard</c> on the HTTP endpoint: a static page (embedded in the hub's assembly, with
/// Chart.js vendored from npm at build time) that reads <c>ReportService</c> through the JSON routes with a token the user
/// pastes, kept in the tab's session storage only. Nothing is fetched from elsewhere, and the content security policy
/// says so.
/// </summary>
public static class Dashboard
{
    private const string ResourcePrefix = "dashboard/";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>Maps the page and its assets, and the hub's icon at <c>/favicon.ico</c>, on the HTTP endpoint only.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        // An SVG under the name browsers ask for by themselves (for the dashboard, the reference page and any other).
        app.MapGet("/favicon.ico", (HttpContext http) => ServeAsync(http, "favicon.svg")).OnHttpEndpoint();
        app.MapGet("/dashboard", (HttpContext http) => ServeAsync(http, "index.html")).OnHttpEndpoint();
        app.MapGet("/dashboard/{file}", (HttpContext http, string file) => ServeAsync(http, file)).OnHttpEndpoint();
        return app;
    }

    private static async Task ServeAsync(HttpContext http, string file)
    {
        await using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + file);
        if (resource is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        await resource.CopyToAsync(http.Response.Body, http.RequestAborted);
    }
}
