namespace EBakul.EtppSimulator;

/// <summary>
/// The simulator's settings (configuration section <c>EtppSimulator</c>), e.g.
/// <c>--EtppSimulator:Url=http://127.0.0.1:5090</c> or <c>EtppSimulator__StorePath=data/etpp.jsonl</c>.
/// </summary>
public sealed class EtppSimulatorOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "EtppSimulator";

    /// <summary>
    /// The URL to listen on (HTTP/1.1). Port 0 picks a free port. Default <c>http://127.0.0.1:5090</c>; an <c>https://</c>
    /// URL needs <see cref="CertificatePath"/> and <see cref="CertificateKeyPath"/>.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:5090";

    /// <summary>The server certificate (PEM) served on an <c>https://</c> <see cref="Url"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The server certificate's private key (PEM).</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>
    /// A PEM file of certificate authorities: when set, every client must present a certificate they issued (mutual TLS,
    /// checked offline), as e-TPP may require of the hub; a connection without one fails its handshake.
    /// </summary>
    public string? ClientCertificateAuthorities { get; set; }

    /// <summary>
    /// A JSON-lines file that keeps what the simulator received across restarts: one line per change of an
    /// adjustment's record, the last line of a key wins. Empty (the default) keeps everything in memory only.
    /// </summary>
    public string? StorePath { get; set; }

    /// <summary>NIPs that e-TPP does not know: adjustments for them are answered 422 <c>NIP_UNKNOWN</c>.</summary>
    public string[]? RejectNips { get; set; }

    /// <summary>Months (<c>YYYY-MM</c>) whose payroll is final: adjustments for them are answered 422 <c>PERIOD_LOCKED</c>.</summary>
    public string[]? LockedPeriods { get; set; }

    /// <summary>The faults in force at start; <c>PUT /_sim/faults</c> replaces them while running.</summary>
    public FaultSettings Faults { get; set; } = new();
}
