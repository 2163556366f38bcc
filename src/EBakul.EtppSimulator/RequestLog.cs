using System.Diagnostics;

namespace EBakul.EtppSimulator;

/// <summary>Logs every request in one line: method, path, idempotency key, what happened and how long it took.</summary>
public static class RequestLog
{
    private const string KeyItem = "etpp.key";
    private const string OutcomeItem = "etpp.outcome";

    /// <summary>Adds the one-line request log.</summary>
    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("EBakul.EtppSimulator.Requests");
        return app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                var outcome = http.Items[OutcomeItem] as string ?? http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                log.LogInformation("{Method} {Path} key={Key} -> {Outcome} ({Elapsed:F0} ms)",
                    http.Request.Method, http.Request.Path.Value, http.Items[KeyItem] as string ?? "-", outcome,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    /// <summary>Records the idempotency key of the request for its log line.</summary>
    public static void SetKey(HttpContext http, string key) => http.Items[KeyItem] = key;

    /// <summary>Records what happened to the request for its log line.</summary>
    public static void SetOutcome(HttpContext http, string outcome) => http.Items[OutcomeItem] = outcome;
}
