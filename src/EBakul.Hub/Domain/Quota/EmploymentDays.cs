using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// An employee's days in one Asia/Jakarta month, from the roster's <see cref="StatusTimeline"/>: <see cref="Active"/>
/// drives proration and the "not active any day" exemption; <see cref="InService"/> (ACTIVE or ON_LEAVE) decides whether
/// the employee belongs to the month's roster at all (someone who left before the month, or starts after it, does not).
/// </summary>
internal readonly record struct EmploymentDays(int Active, int InService, IReadOnlyList<EmployeeStatus> StatusesSeen)
{
    /// <summary>Counts the days of <paramref name="period"/> from an employee's status changes.</summary>
    public static EmploymentDays Count(IReadOnlyList<EmployeeStatusChange> changes, Period period)
    {
        var timeline = new StatusTimeline(changes);
        int active = 0, inService = 0;
        var seen = new List<EmployeeStatus>(2);
        for (var day = period.FirstDay; day <= period.LastDay; day = day.AddDays(1))
        {
            if (timeline.StatusOn(day) is not { } status) continue;
            if (!seen.Contains(status)) seen.Add(status);
            if (status == EmployeeStatus.Active) active++;
            if (status is EmployeeStatus.Active or EmployeeStatus.OnLeave) inService++;
        }
        return new EmploymentDays(active, inService, seen);
    }

    /// <summary>Why an employee with no active day is exempt, e.g. "not ACTIVE on any day of 2025-10 (status during the month: ON_LEAVE)".</summary>
    public string DescribeNotActive(Period period) => StatusesSeen.Count == 0
        ? $"not ACTIVE on any day of {period}: not employed during the month"
        : $"not ACTIVE on any day of {period} (status during the month: {string.Join(", ", StatusesSeen.Select(EnumNames.UpperSnake))})";
}
