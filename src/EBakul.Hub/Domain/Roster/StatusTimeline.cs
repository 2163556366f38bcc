namespace EBakul.Hub.Domain.Roster;

/// <summary>
/// An employee's employment status day by day, resolved from their <see cref="EmployeeStatusChange"/> rows:
/// what the quota evaluation uses to prorate an employee who was active only part of a month.
/// <para>
/// The personnel system sends an employee's current status and the day it took effect; the hub records
/// a change whenever either differs. Changes are applied in the order they were recorded:
/// <list type="bullet">
/// <item>a change to another status than the current one starts a new episode on its date (on leave
/// from 1 September after active);</item>
/// <item>a change that keeps the current status only moves that episode's start (on leave from the 2nd,
/// where the hub knew "on leave from the 1st": the 1st returns to the status before);</item>
/// <item>either way it replaces everything the timeline said from its date on, so a correction
/// backwards (active since January, where the hub knew "left from the 20th") wins for every day from its date.</item>
/// </list>
/// Before the earliest date the employee was not employed.
/// </para>
/// </summary>
public sealed class StatusTimeline
{
    private readonly List<(DateOnly From, EmployeeStatus Status)> _segments;

    /// <summary>
    /// Resolves the timeline from the changes, in the order they were recorded: by
    /// <see cref="EmployeeStatusChange.Id"/>, changes with equal ids (not yet stored) in the order given.
    /// </summary>
    public StatusTimeline(IEnumerable<EmployeeStatusChange> changes)
    {
        _segments = [];
        foreach (var change in changes.OrderBy(c => c.Id))
        {
            if (_segments.Count > 0 && _segments[^1].Status == change.Status) _segments.RemoveAt(_segments.Count - 1);
            var keep = _segments.FindIndex(s => s.From >= change.EffectiveDate);
            if (keep >= 0) _segments.RemoveRange(keep, _segments.Count - keep);
            _segments.Add((change.EffectiveDate, change.Status));
        }
    }

    /// <summary>The status on a date, or null when the employee was not (yet) employed then.</summary>
    public EmployeeStatus? StatusOn(DateOnly date)
    {
        EmployeeStatus? status = null;
        foreach (var (from, segmentStatus) in _segments)
        {
            if (from > date) break;
            status = segmentStatus;
        }
        return status;
    }

    /// <summary>The number of days of <paramref name="period"/> on which the employee was <see cref="EmployeeStatus.Active"/>.</summary>
    public int ActiveDaysIn(Period period)
    {
        var days = 0;
        for (var i = 0; i < _segments.Count; i++)
        {
            if (_segments[i].Status != EmployeeStatus.Active) continue;
            var first = Max(_segments[i].From, period.FirstDay);
            var last = i + 1 < _segments.Count ? Min(_segments[i + 1].From.AddDays(-1), period.LastDay) : period.LastDay;
            if (last >= first) days += last.DayNumber - first.DayNumber + 1;
        }
        return days;
    }

    /// <summary>
    /// The number of days of <paramref name="period"/> on which an employee with these status changes was
    /// <see cref="EmployeeStatus.Active"/>; days before the first change count as not employed.
    /// </summary>
    public static int ActiveDays(IEnumerable<EmployeeStatusChange> changes, Period period) =>
        new StatusTimeline(changes).ActiveDaysIn(period);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
