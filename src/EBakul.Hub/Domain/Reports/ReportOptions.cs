namespace EBakul.Hub.Domain.Reports;

/// <summary>Report settings (configuration section <c>Reports</c>).</summary>
public sealed class ReportOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Reports";

    /// <summary>
    /// The fewest distinct people a figure may describe: a group (category, kecamatan, office, scale) with fewer buyers,
    /// or an office with fewer employees, is folded into "OTHER"; a merchant with fewer buyers is left out of the top
    /// lists; a report whose whole scope has fewer is suppressed. Default 5; at least 1.
    /// </summary>
    public int MinimumGroupSize { get; set; } = 5;

    /// <summary>
    /// A merchant counts as newly registered in a month when it was first verified (first ACTIVE) in that month or the
    /// months before it, this many months in all. Default 3 (the month and the two before it); at least 1.
    /// </summary>
    public int NewMerchantMonths { get; set; } = 3;

    /// <summary>
    /// How often <see cref="ComplianceSnapshotKeeper"/> refreshes the kept compliance evaluations of the current and the
    /// previous month of every regency with a quota policy in force (and trims the change positions they have passed), so
    /// that a compliance report only reads. Default 1 minute; the first round runs at start; zero turns the keeper off
    /// (the reports then refresh what they read themselves).
    /// </summary>
    public TimeSpan ComplianceRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}
