using System.Text.Json;

namespace EBakul.EtppSimulator;

/// <summary>
/// e-TPP's adjustment API as docs/etpp-push-contract.md describes it, with the faults of
/// <see cref="FaultInjector"/> applied around the real handling, plus an unfaulted listing for inspection.
/// </summary>
public static class TppAdjustmentEndpoints
{
    /// <summary>The collection path.</summary>
    public const string Path = "/api/v1/tpp-adjustments";

    /// <summary>The header carrying the idempotency key.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Maps <c>POST</c> and <c>GET {key}</c> of the contract and the <c>GET</c> listing.</summary>
    public static IEndpointRouteBuilder MapTppAdjustments(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, PostAsync);
        app.MapGet(Path + "/{key}", GetAsync);
        app.MapGet(Path, List);
        return app;
    }

    private static async Task PostAsync(HttpContext http, AdjustmentStore store, RejectionRules rules, FaultInjector faults, TimeProvider clock)
    {
        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        var headerKeys = http.Request.Headers[IdempotencyKeyHeader];
        TppAdjustmentBody? parsed = null;
        string? parseError = null;
        try
        {
            parsed = body is null ? null : JsonSerializer.Deserialize<TppAdjustmentBody>(body, SimulatorJson.Options);
            if (parsed is null) parseError = body is null ? $"the body is larger than {MaxBodyBytes} bytes" : "the body is JSON null";
        }
        catch (JsonException e)
        {
            parseError = e.Message;
        }

        var key = headerKeys.Count == 1 && !string.IsNullOrEmpty(headerKeys[0]) ? headerKeys[0]! : parsed?.Key;
        if (key is { Length: > 0 and <= 256 })
        {
            RequestLog.SetKey(http, key);
            var traceparent = http.Request.Headers["traceparent"];
            store.CountAttempt(key, traceparent.Count == 1 ? traceparent[0] : null);
        }

        var plan = faults.Plan();
        if (!await PassFaultsBeforeHandlingAsync(http, plan, clock)) return;

        var reply = Handle(parsed, parseError, headerKeys, store, rules);

        if (!await PassFaultsAfterHandlingAsync(http, plan, clock, reply)) return;
        if (plan.MalformedKind is { } kind) reply = Malformed(kind, reply, key, clock);
        await SendAsync(http, reply);
    }

    private static Reply Handle(TppAdjustmentBody? parsed, string? parseError, Microsoft.Extensions.Primitives.StringValues headerKeys,
        AdjustmentStore store, RejectionRules rules)
    {
        if (parsed is null)
            return Error(400, "MALFORMED_JSON", $"the body is not a JSON adjustment: {parseError}");
        if (headerKeys.Count == 0 || string.IsNullOrEmpty(headerKeys[0]))
            return Error(400, "IDEMPOTENCY_KEY_MISSING", $"the {IdempotencyKeyHeader} header is required and must equal the body's key");
        if (headerKeys.Count > 1 || (parsed.Key is not null && headerKeys[0] != parsed.Key))
            return Error(400, "IDEMPOTENCY_KEY_MISMATCH", $"{IdempotencyKeyHeader} '{headerKeys}' does not equal the body's key '{parsed.Key}'");

        var problems = new List<string>();
        if (TppAdjustment.FromBody(parsed, problems) is not { } adjustment)
            return Error(400, "INVALID_ADJUSTMENT", string.Join("; ", problems));

        var outcome = store.Submit(adjustment, rules);
        return outcome.Result switch
        {
            SubmitResult.Applied => new Reply(201, $"201 applied {outcome.Answer!.EtppReference}", Json: outcome.Answer,
                Location: $"{Path}/{Uri.EscapeDataString(adjustment.Key)}"),
            SubmitResult.Duplicate => new Reply(200, $"200 duplicate of {outcome.Answer!.EtppReference}", Json: outcome.Answer),
            SubmitResult.KeyReused => Error(409, outcome.Code!, outcome.Message!),
            _ => Error(422, outcome.Code!, outcome.Message!),
        };
    }

    private static async Task GetAsync(HttpContext http, string key, AdjustmentStore store, FaultInjector faults, TimeProvider clock)
    {
        RequestLog.SetKey(http, key);
        var plan = faults.Plan();
        if (!await PassFaultsBeforeHandlingAsync(http, plan, clock)) return;
        var reply = store.Find(key)?.Answer is { } answer
            ? new Reply(200, $"200 found {answer.EtppReference}", Json: answer)
            : Error(404, "ADJUSTMENT_NOT_FOUND", $"no adjustment was applied under {key}");
        if (plan.LatencyAfterApply && !await DelayAsync(http, plan.Latency, clock, $"caller gone while answer delayed ({reply.Outcome})")) return;
        await SendAsync(http, reply);
    }

    private static IResult List(AdjustmentStore store)
    {
        var all = store.All();
        return Results.Json(new AdjustmentListing(all, all.Count(s => s.AppliedCount > 0), all.Sum(s => s.Attempts)), SimulatorJson.Options);
    }

    /// <summary>Latency (unless after), outage, reset and error before handling. False when the request is already finished.</summary>
    private static async Task<bool> PassFaultsBeforeHandlingAsync(HttpContext http, FaultPlan plan, TimeProvider clock)
    {
        if (!plan.LatencyAfterApply && plan.Latency > TimeSpan.Zero
            && !await DelayAsync(http, plan.Latency, clock, "caller gone during latency, nothing handled")) return false;
        if (plan.OutageLeft is { } left)
        {
            if (plan.OutageResets)
            {
                Reset(http, "outage: connection reset");
                return false;
            }
            await SendAsync(http, Error(503, "UNAVAILABLE", "e-TPP is down for maintenance", (int)Math.Ceiling(left.TotalSeconds)) with { Outcome = "503 outage" });
            return false;
        }
        if (plan.ResetBeforeApply)
        {
            Reset(http, "connection reset before handling");
            return false;
        }
        if (plan.ErrorBeforeApply is { } status)
        {
            await SendAsync(http, InjectedError(status, plan.RetryAfterSeconds) with { Outcome = $"{status} injected before handling" });
            return false;
        }
        return true;
    }

    /// <summary>Latency (when after), reset and error after handling. False when the request is already finished.</summary>
    private static async Task<bool> PassFaultsAfterHandlingAsync(HttpContext http, FaultPlan plan, TimeProvider clock, Reply reply)
    {
        if (plan.LatencyAfterApply && plan.Latency > TimeSpan.Zero
            && !await DelayAsync(http, plan.Latency, clock, $"caller gone while answer delayed, answer lost ({reply.Outcome})")) return false;
        if (plan.ResetAfterApply)
        {
            Reset(http, $"connection reset after handling, answer lost ({reply.Outcome})");
            return false;
        }
        if (plan.ErrorAfterApply is { } status)
        {
            await SendAsync(http, InjectedError(status, plan.RetryAfterSeconds) with { Outcome = $"{status} injected after handling ({reply.Outcome})" });
            return false;
        }
        return true;
    }

    private static async Task<bool> DelayAsync(HttpContext http, TimeSpan delay, TimeProvider clock, string outcomeIfAborted)
    {
        try
        {
            await Task.Delay(delay, clock, http.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            RequestLog.SetOutcome(http, outcomeIfAborted);
            return false;
        }
    }

    private static void Reset(HttpContext http, string outcome)
    {
        RequestLog.SetOutcome(http, outcome);
        http.Abort();
    }

    private static Reply InjectedError(int status, int? retryAfterSeconds) =>
        Error(status, "INJECTED_FAULT", "a fault injected by the e-TPP simulator", retryAfterSeconds);

    private static Reply Malformed(string kind, Reply real, string? key, TimeProvider clock)
    {
        var outcome = $"200 malformed ({kind}) instead of {real.Outcome}";
        var reference = (real.Json as AppliedAnswer)?.EtppReference ?? "ETPP-99999999";
        var appliedAt = clock.GetUtcNow();
        return kind switch
        {
            "garbage" => new Reply(200, outcome, RawBody: "<html><body><h1>Service temporarily unavailable</h1></body></html>", ContentType: "text/html; charset=utf-8"),
            "truncated" => new Reply(200, outcome, RawBody: $$"""{"key":{{JsonSerializer.Serialize(key ?? "")}},"etpp_reference":"ETPP-0"""),
            "missing_reference" => new Reply(200, outcome, Json: new Dictionary<string, object?> { ["key"] = key, ["applied_at"] = appliedAt }),
            "empty_reference" => new Reply(200, outcome, Json: new AppliedAnswer(key ?? "", "", appliedAt)),
            _ => new Reply(200, outcome, Json: new AppliedAnswer("35.22:000000000000000000:2000-01:r1", reference, appliedAt)),
        };
    }

    private static Reply Error(int status, string code, string message, int? retryAfterSeconds = null) =>
        new(status, $"{status} {code}", Json: new ErrorBody(new ErrorDetail(code, message)), RetryAfterSeconds: retryAfterSeconds);

    private static async Task SendAsync(HttpContext http, Reply reply)
    {
        RequestLog.SetOutcome(http, reply.Outcome);
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = reply.ContentType;
        if (reply.RetryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (reply.Location is { } location) http.Response.Headers.Location = location;
        var bytes = reply.Json is { } json
            ? JsonSerializer.SerializeToUtf8Bytes(json, json.GetType(), SimulatorJson.Options)
            : System.Text.Encoding.UTF8.GetBytes(reply.RawBody ?? "");
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    /// <summary>The whole body, or null when it is larger than the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>An answer about to be sent.</summary>
    private sealed record Reply(
        int Status,
        string Outcome,
        object? Json = null,
        string? RawBody = null,
        string ContentType = "application/json; charset=utf-8",
        int? RetryAfterSeconds = null,
        string? Location = null);
}

/// <summary>The error body of the contract: <c>{"error": {"code", "message"}}</c>.</summary>
/// <param name="Error">The error.</param>
public sealed record ErrorBody(ErrorDetail Error);

/// <summary>One error: a stable UPPER_SNAKE code and a message for people.</summary>
/// <param name="Code">Stable code, e.g. <c>NIP_UNKNOWN</c>.</param>
/// <param name="Message">Explanation for people.</param>
public sealed record ErrorDetail(string Code, string Message);

/// <summary>Body of <c>GET /api/v1/tpp-adjustments</c>: every key seen, with attempts and applications.</summary>
/// <param name="Adjustments">Every key seen, in the order first seen.</param>
/// <param name="AppliedKeys">Keys applied.</param>
/// <param name="Attempts">Attempts over all keys.</param>
public sealed record AdjustmentListing(IReadOnlyList<AdjustmentState> Adjustments, int AppliedKeys, int Attempts);
