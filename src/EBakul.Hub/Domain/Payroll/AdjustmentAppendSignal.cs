namespace EBakul.Hub.Domain.Payroll;

/// <summary>Signals commits of new payroll adjustments (adjustment stream, push dispatcher).</summary>
public sealed class AdjustmentAppendSignal : AppendSignal;
