using Microsoft.Extensions.Options;

namespace EBakul.EtppSimulator;

/// <summary>
/// The business refusals the simulated e-TPP answers with 422: NIPs it does not have on its payroll and
/// months whose payroll is final. Set at start from <see cref="EtppSimulatorOptions"/>; replaced with
/// <c>PUT /_sim/rejections</c>.
/// </summary>
public sealed class RejectionRules
{
    private volatile RejectionSettings _settings;

    /// <summary>Starts from the configured lists.</summary>
    public RejectionRules(IOptions<EtppSimulatorOptions> options) =>
        _settings = new RejectionSettings { RejectNips = options.Value.RejectNips ?? [], LockedPeriods = options.Value.LockedPeriods ?? [] };

    /// <summary>The lists in force.</summary>
    public RejectionSettings Current => _settings;

    /// <summary>Replaces the lists.</summary>
    public void Replace(RejectionSettings settings) =>
        _settings = new RejectionSettings { RejectNips = settings.RejectNips ?? [], LockedPeriods = settings.LockedPeriods ?? [] };

    /// <summary>The refusal for an adjustment, or null when e-TPP accepts it.</summary>
    public (string Code, string Message)? Check(TppAdjustment adjustment)
    {
        var settings = _settings;
        if (settings.RejectNips!.Contains(adjustment.Nip))
            return ("NIP_UNKNOWN", $"NIP {adjustment.Nip} is not on e-TPP's payroll");
        if (settings.LockedPeriods!.Contains(adjustment.Period))
            return ("PERIOD_LOCKED", $"payroll for {adjustment.Period} is final; corrections to it are made in e-TPP");
        return null;
    }
}

/// <summary>The lists behind <see cref="RejectionRules"/> (body of <c>GET/PUT /_sim/rejections</c>).</summary>
public sealed class RejectionSettings
{
    /// <summary>NIPs answered 422 <c>NIP_UNKNOWN</c>.</summary>
    public string[]? RejectNips { get; set; }

    /// <summary>Months (<c>YYYY-MM</c>) answered 422 <c>PERIOD_LOCKED</c>.</summary>
    public string[]? LockedPeriods { get; set; }
}
