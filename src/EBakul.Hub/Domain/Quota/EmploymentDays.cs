using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Quota;

/// <summary>A status of an employee from a Jakarta date on (one row of the status timeline).</summary>
internal readonly record struct StatusFrom(EmployeeStatus Status, DateOnly From);

/// <summary>
/// An employee's days in one Asia/Jakarta month, counted from the status timeline: the status of a day is the latest
/// change effective on or before it; a day before the first change has no status (not yet appointed).
/// <see cref="Active"/> drives proration; <see cref="InService"/> (ACTIVE or ON_LEAVE) decides whether the employee
/// belongs to the month's roster at all.
/// </summary>
internal readonly record struct EmploymentDays(int Active, int InService, IReadOnlyList<EmployeeStatus> StatusesSeen)
{
    /// <summary>
    /// Counts the days of <paramref name="period"/> from <paramref name="timeline"/>, ordered by date (and, for one date,
    /// by recording order: the last one wins).
    /// </summary>
    public static EmploymentDays Count(IReadOnlyList<StatusFrom> timeline, Period period)
    {
        EmployeeStatus? status = null;
        var next = 0;
        int active = 0, inService = 0;
        var seen = new List<EmployeeStatus>(2);
        for (var day = period.FirstDay; day <= period.LastDay; day = day.AddDays(1))
        {
            while (next < timeline.Count && timeline[next].From <= day) status = timeline[next++].Status;
            if (status is not { } s) continue;
            if (!seen.Contains(s)) seen.Add(s);
            if (s == EmployeeStatus.Active) active++;
            if (s is EmployeeStatus.Active or EmployeeStatus.OnLeave) inService++;
        }
        return new EmploymentDays(active, inService, seen);
    }

    /// <summary>Why an employee with no active day is exempt, e.g. "not ACTIVE on any day of 2025-10 (status: ON_LEAVE)".</summary>
    public string DescribeNotActive(Period period) => StatusesSeen.Count == 0
        ? $"not ACTIVE on any day of {period}: no status on the roster for the month (not yet appointed)"
        : $"not ACTIVE on any day of {period} (status during the month: {string.Join(", ", StatusesSeen.Select(EnumNames.UpperSnake))})";
}
