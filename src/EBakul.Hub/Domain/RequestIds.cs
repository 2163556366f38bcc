using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain;

/// <summary>Validation of the <c>request_id</c> every mutating call carries.</summary>
public static class RequestIds
{
    /// <summary>Longest request_id accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Requires 1-64 characters of letters, digits, '-', '_', '.', ':'.</summary>
    public static void Check(string requestId, FieldChecks checks, string field = "request_id")
    {
        if (string.IsNullOrEmpty(requestId))
        {
            checks.Add(field, "FIELD_REQUIRED", "is required: a caller-chosen idempotency key (e.g. a UUID)");
            return;
        }
        checks.Check(requestId.Length <= MaxLength && requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'),
            field, "REQUEST_ID_INVALID", $"must be 1-{MaxLength} characters of letters, digits, '-', '_', '.', ':'");
    }
}
