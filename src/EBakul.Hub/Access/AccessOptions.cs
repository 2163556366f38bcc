namespace EBakul.Hub.Access;

/// <summary>Access settings (configuration section <c>Access</c>).</summary>
public sealed class AccessOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Access";

    /// <summary>
    /// When the hub has no caller at all, create a local development caller with every scope on every regency
    /// and print its token (also written beside the database file). Turn off in production.
    /// </summary>
    public bool CreateDevelopmentCredential { get; set; } = true;

    /// <summary>Calls per second for a caller registered without its own limit.</summary>
    public int DefaultRateLimitPerSecond { get; set; } = 200;
}
