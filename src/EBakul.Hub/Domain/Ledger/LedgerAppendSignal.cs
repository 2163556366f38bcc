namespace EBakul.Hub.Domain.Ledger;

/// <summary>Signals commits of new ledger entries (change feed).</summary>
public sealed class LedgerAppendSignal : AppendSignal;
