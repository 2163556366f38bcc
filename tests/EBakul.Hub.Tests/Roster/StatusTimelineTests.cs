using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Tests.Roster;

public sealed class StatusTimelineTests
{
    private static readonly Period September = new(2025, 9);

    private static EmployeeStatusChange Change(EmployeeStatus status, int year, int month, int day) =>
        new() { Nip = "198503152010011002", Status = status, EffectiveDate = new DateOnly(year, month, day) };

    private const EmployeeStatus Active = EmployeeStatus.Active;
    private const EmployeeStatus OnLeave = EmployeeStatus.OnLeave;
    private const EmployeeStatus Left = EmployeeStatus.Left;

    [Fact]
    public void No_recorded_status_means_no_active_day()
    {
        Assert.Equal(0, StatusTimeline.ActiveDays([], September));
    }

    [Fact]
    public void Active_before_the_month_counts_every_day()
    {
        Assert.Equal(30, StatusTimeline.ActiveDays([Change(Active, 2025, 1, 1)], September));
        Assert.Equal(31, StatusTimeline.ActiveDays([Change(Active, 2025, 1, 1)], new Period(2025, 10)));
        Assert.Equal(28, StatusTimeline.ActiveDays([Change(Active, 2025, 1, 1)], new Period(2025, 2)));
        Assert.Equal(29, StatusTimeline.ActiveDays([Change(Active, 2023, 1, 1)], new Period(2024, 2)));
    }

    [Fact]
    public void Days_before_the_first_status_are_not_employed()
    {
        Assert.Equal(21, StatusTimeline.ActiveDays([Change(Active, 2025, 9, 10)], September));
        Assert.Equal(1, StatusTimeline.ActiveDays([Change(Active, 2025, 9, 30)], September));
        Assert.Equal(0, StatusTimeline.ActiveDays([Change(Active, 2025, 10, 1)], September));
    }

    [Fact]
    public void Leave_and_return_within_the_month()
    {
        var changes = new[] { Change(Active, 2024, 1, 1), Change(OnLeave, 2025, 9, 5), Change(Active, 2025, 9, 15) };
        Assert.Equal(4 + 16, StatusTimeline.ActiveDays(changes, September));
        Assert.Equal(31, StatusTimeline.ActiveDays(changes, new Period(2025, 8)));
    }

    [Fact]
    public void Leaving_ends_the_active_days()
    {
        var changes = new[] { Change(Active, 2020, 3, 1), Change(Left, 2025, 9, 21) };
        Assert.Equal(20, StatusTimeline.ActiveDays(changes, September));
        Assert.Equal(0, StatusTimeline.ActiveDays(changes, new Period(2025, 10)));
        var timeline = new StatusTimeline(changes);
        Assert.Null(timeline.StatusOn(new DateOnly(2020, 2, 29)));
        Assert.Equal(Active, timeline.StatusOn(new DateOnly(2025, 9, 20)));
        Assert.Equal(Left, timeline.StatusOn(new DateOnly(2025, 9, 21)));
    }

    [Fact]
    public void Several_changes_in_one_month()
    {
        var changes = new[]
        {
            Change(OnLeave, 2025, 8, 20), Change(Active, 2025, 9, 3), Change(OnLeave, 2025, 9, 10),
            Change(Active, 2025, 9, 20), Change(Left, 2025, 9, 28),
        };
        // Active 3-9 (7 days) and 20-27 (8 days).
        Assert.Equal(15, StatusTimeline.ActiveDays(changes, September));
    }

    [Fact]
    public void Same_status_with_another_date_moves_the_start_of_that_status()
    {
        // On leave from the 1st, corrected to the 2nd: the 1st is active again.
        var later = new[] { Change(Active, 2025, 1, 1), Change(OnLeave, 2025, 9, 1), Change(OnLeave, 2025, 9, 2) };
        Assert.Equal(1, StatusTimeline.ActiveDays(later, September));

        // Active since January, corrected to the 10th of September: not employed before.
        var start = new[] { Change(Active, 2025, 1, 1), Change(Active, 2025, 9, 10) };
        Assert.Equal(21, StatusTimeline.ActiveDays(start, September));
        Assert.Equal(0, StatusTimeline.ActiveDays(start, new Period(2025, 8)));

        // Return from leave corrected from the 20th to the 25th.
        var back = new[] { Change(Active, 2025, 1, 1), Change(OnLeave, 2025, 9, 1), Change(Active, 2025, 9, 20), Change(Active, 2025, 9, 25) };
        Assert.Equal(6, StatusTimeline.ActiveDays(back, September));
    }

    [Fact]
    public void A_later_record_replaces_everything_from_its_date_on()
    {
        // The hub knew "left from the 20th"; the personnel system then says active since January.
        var corrected = new[] { Change(Active, 2025, 1, 1), Change(Left, 2025, 9, 20), Change(Active, 2025, 1, 1) };
        Assert.Equal(30, StatusTimeline.ActiveDays(corrected, September));

        // Leave recorded back-dated before a later-dated departure: the leave wins from its date.
        var backdated = new[] { Change(Active, 2025, 1, 1), Change(Left, 2025, 9, 20), Change(OnLeave, 2025, 9, 10) };
        Assert.Equal(9, StatusTimeline.ActiveDays(backdated, September));
        Assert.Equal(OnLeave, new StatusTimeline(backdated).StatusOn(new DateOnly(2025, 9, 25)));
    }

    [Fact]
    public void Stored_changes_apply_in_id_order_whatever_the_order_given()
    {
        var changes = new[]
        {
            new EmployeeStatusChange { Id = 2, Nip = "x", Status = Left, EffectiveDate = new DateOnly(2025, 9, 20) },
            new EmployeeStatusChange { Id = 3, Nip = "x", Status = Active, EffectiveDate = new DateOnly(2025, 1, 1) },
            new EmployeeStatusChange { Id = 1, Nip = "x", Status = Active, EffectiveDate = new DateOnly(2025, 1, 1) },
        };
        Assert.Equal(30, StatusTimeline.ActiveDays(changes, September));
    }
}
