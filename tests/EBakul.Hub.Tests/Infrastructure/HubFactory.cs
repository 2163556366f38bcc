using EBakul.Hub.Access;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// The hub on the in-process test server, on its own SQLite file, with a manual clock. Tests talk to it
/// through a real <see cref="GrpcChannel"/> over the test server's handler. Disposing the factory stops the
/// host but keeps the file, so a second factory on the same path sees the same data; the file goes with the test run's
/// folder.
/// </summary>
public sealed class HubFactory : WebApplicationFactory<Program>
{
    /// <summary>Wednesday 15 October 2025, 10:00 WIB.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2025, 10, 15, 10, 0, 0, TimeSpan.FromHours(7));

    /// <summary>A second regency every test hub serves, for cross-regency cases.</summary>
    public const string OtherRegencyCode = "35.23";

    /// <summary>A kecamatan of <see cref="OtherRegencyCode"/>.</summary>
    public const string OtherRegencyKecamatanCode = "35.23.01";

    /// <summary>The id of the all-powerful caller <see cref="Channel"/> authenticates as.</summary>
    public const string TestAdminId = "test-admin";

    private readonly List<GrpcChannel> _channels = [];
    private GrpcChannel? _channel;

    /// <summary>A hub on a new temporary database file.</summary>
    public HubFactory() : this(NewDatabasePath())
    {
    }

    /// <summary>A hub on the given database file.</summary>
    public HubFactory(string databasePath, ManualTimeProvider? clock = null)
    {
        DatabasePath = databasePath;
        Clock = clock ?? new ManualTimeProvider(DefaultNow);
        Settings["Access:CreateDevelopmentCredential"] = "false";
        Settings["ServedRegencies:0:Code"] = OtherRegencyCode;
        Settings["ServedRegencies:0:Name"] = "Kabupaten Tuban";
        Settings["ServedRegencies:0:Kecamatan:0:Code"] = OtherRegencyKecamatanCode;
        Settings["ServedRegencies:0:Kecamatan:0:Name"] = "Kenduruan";
        // The compliance keeper refreshes in the background on a timer: off unless a test is about it (ComplianceSnapshotKeeperTests).
        Settings["Reports:ComplianceRefreshInterval"] = "00:00:00";
    }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <summary>The hub's clock.</summary>
    public ManualTimeProvider Clock { get; }

    /// <summary>Extra configuration applied on top of appsettings.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>
    /// A channel to the hub as <see cref="TestAdminId"/>: every scope (including e-TPP's pull and acknowledge) but
    /// the merchant owner's personal data, on every regency, with a rate limit no test reaches.
    /// </summary>
    public GrpcChannel Channel => _channel ??= ChannelFor(IssueToken(TestAdmin()));

    /// <summary>
    /// A channel as <see cref="TestAdminId"/> to another host of the hub (e.g. one derived with
    /// <c>WithWebHostBuilder</c>); the caller disposes it.
    /// </summary>
    public static GrpcChannel AdminChannelFor(WebApplicationFactory<Program> factory)
    {
        var token = factory.Services.GetRequiredService<CredentialStore>().IssueAsync(TestAdmin(), CancellationToken.None).GetAwaiter().GetResult();
        return CreateChannel(factory, token);
    }

    private static Caller TestAdmin() => new()
    {
        Id = TestAdminId, DisplayName = "Test admin", Kind = CallerKind.Etpp,
        Scopes = string.Join(' ', Scopes.All.Where(s => s != Scopes.MerchantsPersonalData)),
        Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 1_000_000,
    };

    /// <summary>Registers a caller (or updates it) and returns a new token for it.</summary>
    public string IssueToken(Caller caller) =>
        Services.GetRequiredService<CredentialStore>().IssueAsync(caller, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>A channel that sends <paramref name="token"/> as its bearer credential (no header when null).</summary>
    public GrpcChannel ChannelFor(string? token)
    {
        var channel = CreateChannel(this, token);
        _channels.Add(channel);
        return channel;
    }

    private static GrpcChannel CreateChannel(WebApplicationFactory<Program> factory, string? token)
    {
        var options = new GrpcChannelOptions
        {
            HttpHandler = factory.Server.CreateHandler(),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        };
        if (token is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure,
                CallCredentials.FromInterceptor((_, metadata) =>
                {
                    metadata.Add("authorization", $"Bearer {token}");
                    return Task.CompletedTask;
                }));
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }
        return GrpcChannel.ForAddress(factory.Server.BaseAddress, options);
    }

    /// <summary>A fresh path in the <see cref="TestRunFolder"/> (removed when the test run ends).</summary>
    public static string NewDatabasePath() => Path.Combine(TestRunFolder.Path, $"{Guid.NewGuid():N}.db");

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Path", DatabasePath);
        foreach (var (key, value) in TestStore.SettingsFor(DatabasePath)) builder.UseSetting(key, value);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
        if (ConfigureServices is { } configure) builder.ConfigureServices(configure);
    }

    /// <summary>More services for this hub (e.g. telemetry exporters), registered after the hub's own.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        foreach (var channel in _channels) channel.Dispose();
        base.Dispose(disposing);
    }
}
