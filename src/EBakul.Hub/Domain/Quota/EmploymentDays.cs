using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// An employee's days in one Asia/Jakarta month, from the status timeline: <see cref="Active"/> drives proration and the
/// "not active any day" exemption; <see cref="InService"/> (ACTIVE or ON_LEAVE) decides whether the employee belongs to
/// the month's roster at all (someone who left before the month, or starts after it, does not).
/// </summary>
internal readonly record struct EmploymentDays(int Active, int InService, IReadOnlyList<EmployeeStatus> StatusesSeen)
{
    /// <summary>Counts the days of <paramref name="period"/> from an employee's status changes in recording order.</summary>
    public static EmploymentDays Count(IReadOnlyList<EmployeeStatusChange> changes, Period period)
    {
        var segments = Resolve(changes);
        int active = 0, inService = 0, next = 0;
        EmployeeStatus? status = null;
        var seen = new List<EmployeeStatus>(2);
        for (var day = period.FirstDay; day <= period.LastDay; day = day.AddDays(1))
        {
            while (next < segments.Count && segments[next].From <= day) status = segments[next++].Status;
            if (status is not { } s) continue;
            if (!seen.Contains(s)) seen.Add(s);
            if (s == EmployeeStatus.Active) active++;
            if (s is EmployeeStatus.Active or EmployeeStatus.OnLeave) inService++;
        }
        return new EmploymentDays(active, inService, seen);
    }

    /// <summary>Why an employee with no active day is exempt, e.g. "not ACTIVE on any day of 2025-10 (status during the month: ON_LEAVE)".</summary>
    public string DescribeNotActive(Period period) => StatusesSeen.Count == 0
        ? $"not ACTIVE on any day of {period}: not employed during the month"
        : $"not ACTIVE on any day of {period} (status during the month: {string.Join(", ", StatusesSeen.Select(EnumNames.UpperSnake))})";

    /// <summary>
    /// The dated segments of the timeline, applying the changes in recording order: a change to the current status only
    /// moves that episode's start; any change replaces everything the timeline said from its date on.
    /// </summary>
    private static List<(DateOnly From, EmployeeStatus Status)> Resolve(IReadOnlyList<EmployeeStatusChange> changes)
    {
        var segments = new List<(DateOnly From, EmployeeStatus Status)>(changes.Count);
        foreach (var change in changes)
        {
            if (segments.Count > 0 && segments[^1].Status == change.Status) segments.RemoveAt(segments.Count - 1);
            var keep = segments.FindIndex(s => s.From >= change.EffectiveDate);
            if (keep >= 0) segments.RemoveRange(keep, segments.Count - keep);
            segments.Add((change.EffectiveDate, change.Status));
        }
        return segments;
    }
}
