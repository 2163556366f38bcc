using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EBakul.Hub.EtppPush;

/// <summary>
/// The hub's HTTP client for e-TPP's adjustment API (docs/etpp-push-contract.md). One call is one attempt:
/// it sends the adjustment and classifies whatever comes back (or does not) into an <see cref="EtppPushResult"/>.
/// It never trusts a success answer it has not validated, and it never throws for a timeout or a broken
/// connection; only the caller's own cancellation ends a call with an exception. Retrying, backing off and
/// circuit breaking are the caller's business.
/// </summary>
public sealed partial class EtppClient(HttpClient http, TimeProvider clock)
{
    /// <summary>The adjustments collection, relative to <see cref="EtppPushOptions.BaseAddress"/>.</summary>
    public const string AdjustmentsPath = "api/v1/tpp-adjustments";

    /// <summary>The header that carries the idempotency key; it must equal the body's <c>key</c>.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxReasonLength = 500;

    /// <summary>
    /// Pushes one adjustment (one attempt) and classifies the answer. <paramref name="sending"/> is called when the request
    /// is handed to an open connection (its body is being written): from then on e-TPP may have received it. A request
    /// that fails or is cancelled without that call never left the hub.
    /// </summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> is cancelled.</exception>
    public async Task<EtppPushResult> PushAsync(EtppAdjustment adjustment, CancellationToken cancellationToken = default, Action? sending = null)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        using var request = new HttpRequestMessage(HttpMethod.Post, AdjustmentsPath)
        {
            Content = new SendingContent(JsonSerializer.SerializeToUtf8Bytes(adjustment, EtppJson.Default.EtppAdjustment), sending)
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            },
        };
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, adjustment.Key);

        var (status, body, retryAfter, failure) = await SendAsync(request, cancellationToken);
        if (failure is not null) return failure;
        return status switch
        {
            200 or 201 => ProblemWithApplied(body, adjustment.Key, out var applied) is { } problem
                ? Malformed(status, problem, body, retryAfter)
                : new EtppPushResult.Applied(applied.Reference, applied.AppliedAt, Duplicate: status == 200),
            400 or 409 or 422 => Rejection(status, body),
            _ => NotNow(status, retryAfter),
        };
    }

    /// <summary>Asks e-TPP whether an adjustment was applied under a key (one attempt).</summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> is cancelled.</exception>
    public async Task<EtppLookupResult> LookupAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AdjustmentsPath}/{Uri.EscapeDataString(key)}");
        var (status, body, retryAfter, failure) = await SendAsync(request, cancellationToken);
        if (failure is not null) return new EtppLookupResult.Unknown(failure);
        if (status == 200)
        {
            return ProblemWithApplied(body, key, out var applied) is { } problem
                ? new EtppLookupResult.Unknown(Malformed(status, problem, body, retryAfter))
                : new EtppLookupResult.Applied(applied.Reference, applied.AppliedAt);
        }
        if (status == 404 && ErrorOf(body)?.Code == "ADJUSTMENT_NOT_FOUND") return new EtppLookupResult.NotApplied();
        return new EtppLookupResult.Unknown(NotNow(status, retryAfter));
    }

    /// <summary>Sends a request; a timeout or broken connection becomes a failure, the caller's cancellation an exception.</summary>
    private async Task<Exchange> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            // The default completion option buffers the whole body, so the client's timeout covers it too.
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new Exchange((int)response.StatusCode, body, RetryAfterOf(response), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(EtppFailureKind.Timeout, $"no answer from e-TPP within {http.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            return Failed(EtppFailureKind.MalformedAnswer, $"answer too large: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Failed(EtppFailureKind.ConnectionFailed, $"connection to e-TPP failed: {Describe(e)}");
        }

        static Exchange Failed(EtppFailureKind kind, string reason) => new(0, [], null, new EtppPushResult.TransientFailure(kind, reason, null, null));
    }

    /// <summary>Why a success body cannot be trusted, or null (with the reference and time) when it validates.</summary>
    private static string? ProblemWithApplied(byte[] body, string key, out (string Reference, DateTimeOffset AppliedAt) applied)
    {
        applied = default;
        EtppAppliedBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, EtppJson.Default.EtppAppliedBody);
        }
        catch (JsonException e)
        {
            return $"the body is not the JSON success object ({e.Message})";
        }
        if (parsed is null) return "the body is JSON null";
        if (parsed.Key != key) return $"the answer is for key '{parsed.Key}', not '{key}'";
        if (string.IsNullOrWhiteSpace(parsed.EtppReference)) return "etpp_reference is missing or empty";
        if (!TryParseInstant(parsed.AppliedAt, out var appliedAt)) return $"applied_at '{parsed.AppliedAt}' is not an instant with an offset";
        applied = (parsed.EtppReference, appliedAt);
        return null;
    }

    private static EtppPushResult.TransientFailure Malformed(int status, string problem, byte[] body, TimeSpan? retryAfter) =>
        new(EtppFailureKind.MalformedAnswer, $"e-TPP answered {status} with a body that does not validate: {problem}; body: {Excerpt(body)}", retryAfter, status);

    private static EtppPushResult.PermanentRejection Rejection(int status, byte[] body) =>
        ErrorOf(body) is { Code: { Length: > 0 } code } error
            ? new EtppPushResult.PermanentRejection(status, code, error.Message ?? "")
            : new EtppPushResult.PermanentRejection(status, $"HTTP_{status}", Excerpt(body));

    private static EtppPushResult.TransientFailure NotNow(int status, TimeSpan? retryAfter) =>
        status is 408 or 429 or 500 or 502 or 503 or 504
            ? new(EtppFailureKind.Unavailable, $"e-TPP answered {status} {ReasonOf(status)}", retryAfter, status)
            : new(EtppFailureKind.UnexpectedStatus, $"e-TPP answered {status} {ReasonOf(status)}, which the contract does not define here", retryAfter, status);

    private static EtppErrorDetail? ErrorOf(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, EtppJson.Default.EtppErrorBody)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > clock.GetUtcNow() ? date - clock.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };

    private static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is not null && InstantWithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    private static string ReasonOf(int status) =>
        Enum.IsDefined((HttpStatusCode)status) ? ((HttpStatusCode)status).ToString() : "";

    private static string Describe(Exception e)
    {
        var text = new StringBuilder(e.Message);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException) text.Append(" <- ").Append(inner.Message);
        return text.ToString();
    }

    private static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxReasonLength));
        return body.Length > MaxReasonLength ? text + "..." : text;
    }

    /// <summary>One request and its answer: the status, body and <c>Retry-After</c>, or why there was no answer.</summary>
    private readonly record struct Exchange(int Status, byte[] Body, TimeSpan? RetryAfter, EtppPushResult.TransientFailure? Failure);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|z|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex InstantWithOffset();

    /// <summary>The request body; calls back when the connection starts writing it.</summary>
    private sealed class SendingContent(byte[] body, Action? sending) : ByteArrayContent(body)
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            sending?.Invoke();
            return base.SerializeToStreamAsync(stream, context);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            sending?.Invoke();
            return base.SerializeToStreamAsync(stream, context, cancellationToken);
        }

        protected override void SerializeToStream(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            sending?.Invoke();
            base.SerializeToStream(stream, context, cancellationToken);
        }
    }
}
