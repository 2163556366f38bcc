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
