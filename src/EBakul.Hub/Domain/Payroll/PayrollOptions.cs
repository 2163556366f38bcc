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
}
