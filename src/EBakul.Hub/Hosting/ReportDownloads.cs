using System.Globalization;
using System.Text;
using EBakul.Hub.Access;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Errors;
using EBakul.Hub.Services;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Wire = EBakul.Reports.V1;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The reports as plain CSV downloads on the HTTP endpoint:
/// <c>GET /v1/regencies/{regency}/reports/{report}.csv?period=YYYY-MM[&amp;months=N][&amp;officeCode=…][&amp;topMerchantCount=N]</c>,
/// where <c>{report}</c> is a <see cref="ReportKind"/> in kebab case (<c>spending-by-category</c>, …,
/// <c>compliance-by-office</c>). Each download stands for <c>ReportService/ExportReport</c>: the same token, scope, regency
/// and office checks, the same records; errors are the same <c>google.rpc.Status</c> JSON as the transcoded routes.
/// </summary>
public static class ReportDownloads
{
    private const string ExportMethod = "/ebakul.reports.v1.ReportService/ExportReport";

    private static readonly JsonFormatter StatusFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor)));

    /// <summary>Maps the downloads, on the HTTP endpoint only.</summary>
    public static WebApplication MapReportDownloads(this WebApplication app)
    {
        app.MapGet("/v1/regencies/{regencyCode}/reports/{report}.csv", DownloadAsync).OnHttpEndpoint();
        return app;
    }

    private static async Task DownloadAsync(HttpContext http, string regencyCode, string report)
    {
        var services = http.RequestServices;
        try
        {
            var caller = await AccessInterceptor.AuthorizeAsync(services.GetRequiredService<CallerAuthentication>(),
                services.GetRequiredService<CallerRateLimiter>(), ExportMethod, http.Request.Headers.Authorization.FirstOrDefault(), http.RequestAborted);
            AccessInterceptor.RequireRegency(caller, new Wire.ExportReportRequest { RegencyCode = regencyCode });

            var checks = new FieldChecks();
            var kind = ReportExport.FromFileName(report);
            checks.Check(kind is not null, "report", "REPORT_UNKNOWN",
                $"'{report}' is not a report; one of {string.Join(", ", Enum.GetValues<ReportKind>().Select(ReportExport.FileName))}");
            var request = new Wire.ExportReportRequest
            {
                RegencyCode = regencyCode, Report = (Wire.ReportKind)(kind ?? 0), Period = http.Request.Query["period"].ToString(),
                Months = QueryNumber(http, "months", checks), OfficeCode = http.Request.Query["officeCode"].ToString(),
                TopMerchantCount = QueryNumber(http, "topMerchantCount", checks),
            };
            checks.ThrowIfAny();

            var service = ActivatorUtilities.CreateInstance<ReportGrpcService>(services);
            var lines = await service.ExportLinesAsync(request, caller, http.RequestAborted);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"{regencyCode}-{report}-{request.Period}.csv\"";
            var body = new StringBuilder();
            foreach (var line in lines) body.Append(line).Append("\r\n");
            await http.Response.WriteAsync(body.ToString(), Encoding.UTF8, http.RequestAborted);
        }
        catch (HubException ex)
        {
            await WriteErrorAsync(http, ex);
        }
    }

    private static int QueryNumber(HttpContext http, string name, FieldChecks checks)
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0) return 0;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        checks.Add(name, "NOT_A_NUMBER", "must be a whole number");
        return 0;
    }

    /// <summary>Answers <paramref name="ex"/> as the transcoded routes do: its HTTP status and the <c>google.rpc.Status</c> JSON.</summary>
    internal static async Task WriteErrorAsync(HttpContext http, HubException ex)
    {
        var status = HubErrorInterceptor.ToRpcException(ex).GetRpcStatus()!;
        http.Response.StatusCode = ex.Code switch
        {
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
            StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
            StatusCode.NotFound => StatusCodes.Status404NotFound,
            StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
            StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(StatusFormatter.Format(status), http.RequestAborted);
    }
}
