using System.Text.Json;

namespace EBakul.EtppSimulator;

/// <summary>
/// The simulator's own controls, outside the contract: <c>/_sim/faults</c> and <c>/_sim/rejections</c>
/// (GET reads, PUT replaces as a whole). Never faulted.
/// </summary>
public static class SimulatorControlEndpoints
{
    /// <summary>Maps the control endpoints.</summary>
    public static IEndpointRouteBuilder MapSimulatorControl(this IEndpointRouteBuilder app)
    {
        app.MapGet("/_sim/faults", (FaultInjector faults) => Results.Json(faults.Current, SimulatorJson.Options));
        app.MapPut("/_sim/faults", async (HttpContext http, FaultInjector faults) =>
        {
            var (settings, error) = await ReadAsync<FaultSettings>(http);
            if (settings is null) return Invalid("INVALID_FAULTS", error!);
            var problems = faults.Replace(settings);
            return problems.Count > 0
                ? Invalid("INVALID_FAULTS", string.Join("; ", problems))
                : Results.Json(faults.Current, SimulatorJson.Options);
        });
        app.MapGet("/_sim/rejections", (RejectionRules rules) => Results.Json(rules.Current, SimulatorJson.Options));
        app.MapPut("/_sim/rejections", async (HttpContext http, RejectionRules rules) =>
        {
            var (settings, error) = await ReadAsync<RejectionSettings>(http);
            if (settings is null) return Invalid("INVALID_REJECTIONS", error!);
            rules.Replace(settings);
            return Results.Json(rules.Current, SimulatorJson.Options);
        });
        return app;
    }

    private static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpContext http) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, SimulatorJson.Options, http.RequestAborted);
            return value is null ? (null, "the body is JSON null") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }

    private static IResult Invalid(string code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(code, message)), SimulatorJson.Options, statusCode: 400);
}
