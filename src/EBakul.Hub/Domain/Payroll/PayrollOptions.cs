namespace EBakul.Hub.Domain.Payroll;

/// <summary>Payroll settings (configuration section <c>Payroll</c>).</summary>
public sealed class PayrollOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Payroll";

    /// <summary>
    /// How long after a month ends (00:00 WIB on the 1st of the next month) it may be closed: purchases of the
    /// last days still arrive from offices during this time. Default 3 days.
    /// </summary>
    public TimeSpan CloseGracePeriod { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Disputes of adjustments before e-TPP applies them (section <c>Payroll:Disputes</c>).</summary>
    public DisputeOptions Disputes { get; set; } = new();

    /// <summary>The check that refuses to close a month that looks incomplete (section <c>Payroll:CloseGuard</c>).</summary>
    public CloseGuardOptions CloseGuard { get; set; } = new();
}

/// <summary>
/// When a close is refused as looking incomplete (<c>CLOSE_LOOKS_INCOMPLETE</c>) unless confirmed with a reason: a month
/// in which no purchase at all was recorded, or in which the share of employees with a requirement who have anything
/// counted is far below the last closed month's (an office's system that stopped sending would otherwise turn into
/// deductions for all its employees). Section <c>Payroll:CloseGuard</c>.
/// </summary>
public sealed class CloseGuardOptions
{
    /// <summary>Whether the check runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The lowest share of employees with a requirement who have anything counted, as a percentage of the same share in the
    /// last closed month, below which the month looks incomplete. Default 50: half the last closed month's share.
    /// </summary>
    public int MinimumShareOfPreviousPercent { get; set; } = 50;
}

/// <summary>What an unresolved dispute does to its adjustment once the cut-off has passed.</summary>
public enum UnresolvedDisputeAtCutoff
{
    /// <summary>The hold ends: the adjustment goes to e-TPP as computed (the dispute is LAPSED).</summary>
    Release = 1,
    /// <summary>The adjustment stays held until a resolver decides.</summary>
    Keep = 2,
}

/// <summary>Dispute settings (configuration section <c>Payroll:Disputes</c>).</summary>
public sealed class DisputeOptions
{
    /// <summary>
    /// How long after an adjustment is made it may be disputed: its cut-off is its creation plus this window.
    /// Default 7 days.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);

    /// <summary>What an unresolved dispute does once the cut-off has passed. Default <see cref="UnresolvedDisputeAtCutoff.Release"/>.</summary>
    public UnresolvedDisputeAtCutoff AtCutoff { get; set; } = UnresolvedDisputeAtCutoff.Release;

    /// <summary>
    /// When true, every adjustment waits for its cut-off before it is pushed to e-TPP (and is marked held on the pull side),
    /// so everyone has the whole window to contest it. Default false: adjustments go at once, and a dispute holds only one
    /// that e-TPP has not received yet.
    /// </summary>
    public bool HoldUntilCutoff { get; set; }
}
