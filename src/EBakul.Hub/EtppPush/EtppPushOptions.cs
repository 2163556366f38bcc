namespace EBakul.Hub.EtppPush;

/// <summary>Where and how the hub reaches e-TPP (configuration section <c>EtppPush</c>).</summary>
public sealed class EtppPushOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "EtppPush";

    /// <summary>e-TPP's base address, e.g. <c>https://etpp.bojonegorokab.go.id/</c>; the contract's paths are relative to it.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>How long one attempt may take, answer included, before it counts as a transient timeout. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
