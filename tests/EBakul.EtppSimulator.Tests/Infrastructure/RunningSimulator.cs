using System.Net.Http.Json;
using EBakul.EtppSimulator;
using EBakul.Hub.EtppPush;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.EtppSimulator.Tests.Infrastructure;

/// <summary>
/// The e-TPP simulator running on Kestrel on a free loopback port (a real HTTP server, not a test server; over TLS
/// with mutual TLS when started with a <see cref="TestPki"/>), plus <see cref="EtppClient"/>s pointed at it the way the
/// hub registers them.
/// </summary>
public sealed class RunningSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _contentRoot;
    private readonly List<ServiceProvider> _providers = [];

    private RunningSimulator(WebApplication app, string contentRoot, Uri baseAddress, TestPki? tls)
    {
        _app = app;
        _contentRoot = contentRoot;
        BaseAddress = baseAddress;
        Tls = tls;
        if (tls is not null)
        {
            var hubCertificate = tls.IssueClient("hub-to-etpp", "ebakul-hub");
            ClientSettings = new Dictionary<string, string?>
            {
                ["EtppPush:ServerCertificateAuthorities"] = tls.AuthorityPath,
                ["EtppPush:ClientCertificate:Path"] = hubCertificate.CertificatePath,
                ["EtppPush:ClientCertificate:KeyPath"] = hubCertificate.KeyPath,
            };
        }
        var control = tls?.Handler(tls.IssueClient("control", "simulator-control").Certificate) ?? new SocketsHttpHandler();
        Control = new HttpClient(control) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The authority of the simulator's certificate and of the client certificates it requires, when it serves TLS.</summary>
    public TestPki? Tls { get; }

    /// <summary>
    /// The <c>EtppPush</c> settings a client of this simulator needs besides its address: over TLS, the authority to trust
    /// and the client certificate to present (issued by <see cref="Tls"/>); none in cleartext.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ClientSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Where the simulator listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A plain client for the simulator's control and listing endpoints.</summary>
    public HttpClient Control { get; }

    /// <summary>Starts a simulator with the given settings (keys under <c>EtppSimulator:</c>, without the prefix).</summary>
    public static Task<RunningSimulator> StartAsync(params (string Key, string Value)[] settings) => StartAsync(null, settings);

    /// <summary>
    /// Starts a simulator with the given settings; with <paramref name="tls"/>, over https with a server certificate of that
    /// authority, requiring a client certificate it issued.
    /// </summary>
    public static async Task<RunningSimulator> StartAsync(TestPki? tls, params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            $"--EtppSimulator:Url={(tls is null ? "http" : "https")}://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        };
        if (tls is not null)
        {
            var server = tls.IssueServer("etpp-server");
            args.Add($"--EtppSimulator:CertificatePath={server.CertificatePath}");
            args.Add($"--EtppSimulator:CertificateKeyPath={server.KeyPath}");
            args.Add($"--EtppSimulator:ClientCertificateAuthorities={tls.AuthorityPath}");
        }
        args.AddRange(settings.Select(s => $"--EtppSimulator:{s.Key}={s.Value}"));
        // An empty content root: no appsettings.json of another application in the test folder is read.
        var contentRoot = Directory.CreateTempSubdirectory("etpp-sim-").FullName;
        var app = EtppSimulatorApp.Create(new WebApplicationOptions { Args = [.. args], ContentRootPath = contentRoot });
        await app.StartAsync();
        var url = app.Urls.Single();
        return new RunningSimulator(app, contentRoot, new Uri(url.EndsWith('/') ? url : url + "/"), tls);
    }

    /// <summary>A client registered with <see cref="EtppPushServiceCollectionExtensions.AddEtppClient"/>.</summary>
    /// <remarks><paramref name="settings"/> changes the <c>EtppPush</c> settings (those of <see cref="ClientSettings"/> included) before the client is made.</remarks>
    public EtppClient CreateClient(TimeSpan? timeout = null, Action<IHttpClientBuilder>? configure = null, Uri? baseAddress = null,
        Action<Dictionary<string, string?>>? settings = null)
    {
        var values = new Dictionary<string, string?>(ClientSettings)
        {
            ["EtppPush:BaseAddress"] = (baseAddress ?? BaseAddress).ToString(),
            ["EtppPush:Timeout"] = (timeout ?? TimeSpan.FromSeconds(30)).ToString(),
        };
        settings?.Invoke(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        var builder = services.AddEtppClient(configuration);
        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<EtppClient>();
    }

    /// <summary>Replaces the faults; the JSON is the body of <c>PUT /_sim/faults</c>.</summary>
    public async Task SetFaultsAsync(object faults)
    {
        using var response = await Control.PutAsJsonAsync("_sim/faults", faults, SimulatorJson.Options);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Removes every fault.</summary>
    public Task ClearFaultsAsync() => SetFaultsAsync(new { });

    /// <summary>What the simulator received and applied.</summary>
    public async Task<AdjustmentListing> ListAsync() =>
        (await Control.GetFromJsonAsync<AdjustmentListing>("api/v1/tpp-adjustments", SimulatorJson.Options))!;

    /// <summary>The state of one key; fails when the simulator never saw it.</summary>
    public async Task<AdjustmentState> StateAsync(string key) =>
        (await ListAsync()).Adjustments.Single(a => a.Key == key);

    /// <summary>Stops the simulator (its store file stays).</summary>
    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        foreach (var provider in _providers) await provider.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
