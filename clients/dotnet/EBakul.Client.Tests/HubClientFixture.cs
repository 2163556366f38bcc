using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Client.Tests;

/// <summary>
/// One real hub process (the built EBakul.Hub.dll on free loopback ports, a fresh SQLite file) for the client tests,
/// with its development admin token (from dev-credentials.env beside the database).
/// </summary>
public sealed class HubClientFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ebakul-client-tests", Guid.NewGuid().ToString("N"));
    private RestartableHubProcess? _hub;

    /// <summary>The running hub.</summary>
    public RestartableHubProcess Hub => _hub ?? throw new InvalidOperationException("the hub is not started");

    /// <summary>The development admin's bearer token.</summary>
    public string Token { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = Path.Combine(_folder, "hub.db");
        _hub = new RestartableHubProcess(database, new Dictionary<string, string?> { ["Access:CreateDevelopmentCredential"] = "true" });
        await _hub.StartAsync();
        var credentials = await File.ReadAllLinesAsync(Path.Combine(_folder, "dev-credentials.env"));
        Token = credentials.Single(l => l.StartsWith("EBAKUL_TOKEN=", StringComparison.Ordinal))["EBAKUL_TOKEN=".Length..];
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_hub is not null) await _hub.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The tests sharing one hub process.</summary>
[CollectionDefinition(Name)]
public sealed class HubClientCollection : ICollectionFixture<HubClientFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "hub process for client tests";
}
