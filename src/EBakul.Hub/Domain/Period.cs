using System.Globalization;

namespace EBakul.Hub.Domain;

/// <summary>
/// A calendar month in Asia/Jakarta time (WIB, UTC+7, no daylight saving): the unit in which quotas are
/// evaluated and payroll is corrected. A purchase at 23:59 WIB on the 31st belongs to that month;
/// one at 00:00 WIB on the 1st to the next.
/// </summary>
public readonly record struct Period(int Year, int Month) : IComparable<Period>
{
    /// <summary>The Asia/Jakarta time zone.</summary>
    public static readonly TimeZoneInfo Jakarta = TimeZoneInfo.FindSystemTimeZoneById("Asia/Jakarta");

    /// <summary>The month an instant falls in, in Jakarta.</summary>
    public static Period Containing(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Jakarta);
        return new Period(local.Year, local.Month);
    }

    /// <summary>The month a Jakarta calendar date falls in.</summary>
    public static Period Containing(DateOnly date) => new(date.Year, date.Month);

    /// <summary>Parses "YYYY-MM".</summary>
    public static bool TryParse(string? text, out Period period)
    {
        period = default;
        if (text is null || text.Length != 7 || text[4] != '-') return false;
        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)) return false;
        if (year < 2000 || year > 2999 || month < 1 || month > 12) return false;
        period = new Period(year, month);
        return true;
    }

    /// <summary>
    /// Checks a required month field of a request: FIELD_REQUIRED when empty, PERIOD_INVALID when it is not
    /// "YYYY-MM". Returns the month (default when a violation was added).
    /// </summary>
    public static Period Require(string text, string field, Errors.FieldChecks checks)
    {
        if (text.Length == 0)
        {
            checks.Add(field, "FIELD_REQUIRED", "is required: a month as YYYY-MM, e.g. 2025-09");
            return default;
        }
        if (!TryParse(text, out var period)) checks.Add(field, "PERIOD_INVALID", "must be a month as YYYY-MM, e.g. 2025-09");
        return period;
    }

    /// <summary>Like <see cref="Require"/> for an optional filter: null when empty.</summary>
    public static Period? Optional(string text, string field, Errors.FieldChecks checks) =>
        text.Length == 0 ? null : Require(text, field, checks);

    /// <summary>The month from its <see cref="Key"/>.</summary>
    public static Period FromKey(int key) => new(key / 100, key % 100);

    /// <summary>Sortable integer form, yyyymm (e.g. 202509), as stored in the database.</summary>
    public int Key => Year * 100 + Month;

    /// <summary>The first day of the month.</summary>
    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The last day of the month.</summary>
    public DateOnly LastDay => FirstDay.AddMonths(1).AddDays(-1);

    /// <summary>Number of days in the month.</summary>
    public int DayCount => DateTime.DaysInMonth(Year, Month);

    /// <summary>00:00 WIB on the first day, as an instant.</summary>
    public DateTimeOffset Start => StartOfDay(FirstDay);

    /// <summary>00:00 WIB on the first day of the next month, as an instant (exclusive end).</summary>
    public DateTimeOffset End => Next.Start;

    /// <summary>The following month.</summary>
    public Period Next => Month == 12 ? new Period(Year + 1, 1) : new Period(Year, Month + 1);

    /// <summary>The preceding month.</summary>
    public Period Previous => Month == 1 ? new Period(Year - 1, 12) : new Period(Year, Month - 1);

    /// <summary>00:00 in Jakarta on a date, as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Jakarta.GetUtcOffset(local));
    }

    /// <summary>The Jakarta calendar date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Jakarta).DateTime);

    /// <inheritdoc />
    public int CompareTo(Period other) => Key.CompareTo(other.Key);

    /// <summary>"YYYY-MM".</summary>
    public override string ToString() => $"{Year:D4}-{Month:D2}";

    /// <summary>Whether this month is before another.</summary>
    public static bool operator <(Period a, Period b) => a.Key < b.Key;
    /// <summary>Whether this month is after another.</summary>
    public static bool operator >(Period a, Period b) => a.Key > b.Key;
    /// <summary>Whether this month is not after another.</summary>
    public static bool operator <=(Period a, Period b) => a.Key <= b.Key;
    /// <summary>Whether this month is not before another.</summary>
    public static bool operator >=(Period a, Period b) => a.Key >= b.Key;
}
