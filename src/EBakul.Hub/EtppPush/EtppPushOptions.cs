namespace EBakul.Hub.EtppPush;

/// <summary>Where and how the hub pushes adjustments to e-TPP (configuration section <c>EtppPush</c>).</summary>
public sealed class EtppPushOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "EtppPush";

    /// <summary>
    /// Regencies whose adjustments are pushed (kode wilayah). Empty: nothing is pushed and e-TPP pulls
    /// (the pull path works for every regency either way; an adjustment acknowledged by pull is never pushed).
    /// </summary>
    public List<string> Regencies { get; set; } = [];

    /// <summary>e-TPP's base address, e.g. <c>https://etpp.bojonegorokab.go.id/</c>; the contract's paths are relative to it.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>How long one HTTP attempt may take, answer included, before it counts as a transient timeout. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The client certificate the hub presents to e-TPP over TLS (mutual TLS), e.g.
    /// <c>EtppPush:ClientCertificate:Path=/etc/ebakul/etpp-client.pem</c> and <c>:KeyPath=/etc/ebakul/etpp-client.key</c>.
    /// Read again when the files change. Unset: none is presented.
    /// </summary>
    public CertificateFileOptions? ClientCertificate { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities e-TPP's server certificate must be issued by (checked offline, without
    /// revocation lookup), in place of the machine's trusted roots. Unset: the machine's trusted roots.
    /// </summary>
    public string? ServerCertificateAuthorities { get; set; }

    /// <summary>Resilience pipeline around each push.</summary>
    public PushPipelineOptions Pipeline { get; set; } = new();

    /// <summary>The dispatcher that feeds the pipeline from the outbox.</summary>
    public DispatcherOptions Dispatcher { get; set; } = new();
}

/// <summary>A certificate with its private key in files: a PEM pair (<see cref="Path"/> and <see cref="KeyPath"/>), or a PKCS#12 file (<see cref="Path"/> and <see cref="Password"/>).</summary>
public sealed class CertificateFileOptions
{
    /// <summary>The certificate (PEM), or the PKCS#12 file.</summary>
    public string? Path { get; set; }

    /// <summary>The private key (PEM) of a PEM certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of an encrypted key or of a PKCS#12 file; none when empty.</summary>
    public string? Password { get; set; }
}

/// <summary>The Polly pipeline around one push (configuration section <c>EtppPush:Pipeline</c>).</summary>
public sealed class PushPipelineOptions
{
    /// <summary>Longest time for one push, all retries included. Default 2 minutes.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after the first attempt, on transient failures only. Default 4.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; doubles each retry, with jitter. Default 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay (also caps e-TPP's Retry-After). Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of failed attempts in <see cref="BreakerSamplingDuration"/> that opens the breaker. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the breaker may open. Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Window over which the failure ratio is measured. Default 30 seconds.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the breaker stays open before a trial attempt. Default 30 seconds.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The outbox dispatcher (configuration section <c>EtppPush:Dispatcher</c>).</summary>
public sealed class DispatcherOptions
{
    /// <summary>Deliveries claimed at once. Default 50.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Pushes in flight at once (different employees). Default 4.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>
    /// How long a claimed delivery belongs to this process without renewal. The dispatcher renews the leases of its
    /// batch every quarter lease while it pushes, and cancels the pushes when it could not renew them for half a
    /// lease. A hub that dies mid-push leaves the row DELIVERING; once the lease has expired another dispatcher (or
    /// the restarted hub) pushes it again (e-TPP dedups by key). At least 4 seconds. Default 20 seconds.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the outbox is scanned when nothing wakes the dispatcher. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay before a delivery whose push failed transiently is tried again (then doubled per dispatch, up to 1 hour). Default 30 seconds.</summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
