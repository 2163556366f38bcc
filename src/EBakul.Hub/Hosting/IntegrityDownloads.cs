using System.Text;
using EBakul.Hub.Access;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Errors;
using EBakul.Hub.Services;
using Wire = EBakul.Integrity.V1;

namespace EBakul.Hub.Hosting;

/// <summary>
/// A month's integrity signals as a CSV download on the HTTP endpoint:
/// <c>GET /v1/regencies/{regency}/periods/{period}/integritySignals.csv[?kind=…]</c>, one record per signal, strongest
/// first, the header first. It stands for <c>IntegrityService/ListIntegritySignals</c>: the same token, scope
/// (<c>integrity.read</c>), regency and office checks; errors are the same <c>google.rpc.Status</c> JSON as the transcoded
/// routes.
/// </summary>
public static class IntegrityDownloads
{
    private const string ListMethod = "/ebakul.integrity.v1.IntegrityService/ListIntegritySignals";

    /// <summary>The header record.</summary>
    public const string Header =
        "signal_id,kind,strength,merchant_id,merchant_name,office_code,employee_nips,purchase_count,buyer_count,amount_rupiah,review_verdict,review_note,explanation";

    /// <summary>Maps the download, on the HTTP endpoint only.</summary>
    public static WebApplication MapIntegrityDownloads(this WebApplication app)
    {
        app.MapGet("/v1/regencies/{regencyCode}/periods/{period}/integritySignals.csv", DownloadAsync).OnHttpEndpoint();
        return app;
    }

    private static async Task DownloadAsync(HttpContext http, string regencyCode, string period)
    {
        var services = http.RequestServices;
        try
        {
            var caller = await AccessInterceptor.AuthorizeAsync(services.GetRequiredService<CallerAuthentication>(),
                services.GetRequiredService<CallerRateLimiter>(), ListMethod, http.Request.Headers.Authorization.FirstOrDefault(), http.RequestAborted);
            var request = new Wire.ListIntegritySignalsRequest { RegencyCode = regencyCode, Period = period };
            AccessInterceptor.RequireRegency(caller, request);
            var kind = http.Request.Query["kind"].ToString();
            if (kind.Length > 0)
            {
                if (!Enum.TryParse<Wire.IntegritySignalKind>(kind.Replace("INTEGRITY_SIGNAL_KIND_", "").Replace("_", ""), ignoreCase: true, out var parsed))
                    throw HubException.InvalidField("kind", "ENUM_VALUE_UNKNOWN", $"'{kind}' is not a signal kind");
                request.Kind = parsed;
            }

            // The whole month from one computation of its signals (a page each would compute it again).
            var service = ActivatorUtilities.CreateInstance<IntegrityGrpcService>(services);
            var body = new StringBuilder(Header).Append("\r\n");
            foreach (var s in await service.AllAsync(request, caller, http.RequestAborted))
            {
                body.Append(ReportCsv.Record(s.SignalId, s.Kind.ToString(), s.Strength, s.MerchantId, s.MerchantName, s.OfficeCode,
                    string.Join(' ', s.EmployeeNips), s.PurchaseCount, s.BuyerCount, s.AmountRupiah, s.Review?.Verdict.ToString() ?? "",
                    s.Review?.Note ?? "", s.Explanation)).Append("\r\n");
            }
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{regencyCode}-integrity-signals-{period}.csv\"";
            await http.Response.WriteAsync(body.ToString(), Encoding.UTF8, http.RequestAborted);
        }
        catch (HubException ex)
        {
            await ReportDownloads.WriteErrorAsync(http, ex);
        }
    }
}
