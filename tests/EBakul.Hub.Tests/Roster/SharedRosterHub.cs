using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests.Roster;

/// <summary>One hub shared by the tests of a class whose rows never meet (each uses fresh NIPs).</summary>
public sealed class SharedRosterHub : IDisposable
{
    /// <summary>The hub.</summary>
    public HubFactory Hub { get; } = new();

    /// <inheritdoc />
    public void Dispose() => Hub.Dispose();
}
