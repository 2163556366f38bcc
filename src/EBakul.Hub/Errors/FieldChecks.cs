namespace EBakul.Hub.Errors;

/// <summary>
/// Collects field violations while a request is validated, so that a caller learns every problem
/// of a request at once. <see cref="ThrowIfAny"/> ends validation with INVALID_ARGUMENT.
/// </summary>
public sealed class FieldChecks
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>Whether no violation has been added.</summary>
    public bool IsValid => _violations.Count == 0;

    /// <summary>The violations so far.</summary>
    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>Adds a violation.</summary>
    public FieldChecks Add(string field, string reason, string description)
    {
        _violations.Add(new FieldViolation(field, reason, description));
        return this;
    }

    /// <summary>Adds a violation unless <paramref name="condition"/> holds.</summary>
    public bool Check(bool condition, string field, string reason, string description)
    {
        if (!condition) Add(field, reason, description);
        return condition;
    }

    /// <summary>Requires a non-blank string of at most <paramref name="maxLength"/> characters.</summary>
    public bool RequireText(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "FIELD_REQUIRED", "is required");
            return false;
        }
        return Check(value.Length <= maxLength, field, "FIELD_TOO_LONG", $"must be at most {maxLength} characters");
    }

    /// <summary>Allows an empty string, otherwise at most <paramref name="maxLength"/> characters.</summary>
    public bool OptionalText(string? value, string field, int maxLength) =>
        string.IsNullOrEmpty(value) || Check(value.Length <= maxLength, field, "FIELD_TOO_LONG", $"must be at most {maxLength} characters");

    /// <summary>Requires an enum value other than its UNSPECIFIED zero and defined in the contract.</summary>
    public bool RequireEnum<TEnum>(TEnum value, string field) where TEnum : struct, Enum
    {
        var number = Convert.ToInt32(value);
        if (number == 0)
        {
            Add(field, "FIELD_REQUIRED", "must be set (UNSPECIFIED is not a value)");
            return false;
        }
        return Check(Enum.IsDefined(value), field, "ENUM_VALUE_UNKNOWN", $"{number} is not a known value");
    }

    /// <summary>Whether a violation on <paramref name="field"/> was added.</summary>
    public bool Has(string field) => _violations.Exists(v => v.Field == field);

    /// <summary>
    /// A protobuf Timestamp as an instant, or null when unset. One outside the Timestamp's range (seconds from
    /// 0001-01-01 to 9999-12-31, nanos 0-999,999,999: what <c>ToDateTimeOffset</c> would throw on) adds
    /// <c>TIMESTAMP_OUT_OF_RANGE</c> and gives null.
    /// </summary>
    public DateTimeOffset? Timestamp(Google.Protobuf.WellKnownTypes.Timestamp? value, string field)
    {
        if (value is null) return null;
        if (RequestWellKnownTypes.IsInRange(value)) return value.ToDateTimeOffset();
        Add(field, "TIMESTAMP_OUT_OF_RANGE",
            "is not a valid timestamp: seconds must lie between 0001-01-01 and 9999-12-31 and nanos between 0 and 999,999,999");
        return null;
    }

    /// <summary>Throws INVALID_ARGUMENT with every violation collected, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_violations.Count > 0) throw HubException.InvalidArgument(_violations);
    }
}
