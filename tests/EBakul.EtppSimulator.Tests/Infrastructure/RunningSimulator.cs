using System.Net.Http.Json;
using EBakul.EtppSimulator;
using EBakul.Hub.EtppPush;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.EtppSimulator.Tests.Infrastructure;

/// <summary>
/// The e-TPP simulator running on Kestrel on a free loopback port (a real HTTP server, not a test server),
/// plus <see cref="EtppClient"/>s pointed at it the way the hub registers them.
/// </summary>
public sealed class RunningSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _contentRoot;
    private readonly List<ServiceProvider> _providers = [];

    private RunningSimulator(WebApplication app, string contentRoot, Uri baseAddress)
    {
        _app = app;
        _contentRoot = contentRoot;
        BaseAddress = baseAddress;
        Control = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where the simulator listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A plain client for the simulator's control and listing endpoints.</summary>
    public HttpClient Control { get; }

    /// <summary>Starts a simulator with the given settings (keys under <c>EtppSimulator:</c>, without the prefix).</summary>
    public static async Task<RunningSimulator> StartAsync(params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--EtppSimulator:Url=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(settings.Select(s => $"--EtppSimulator:{s.Key}={s.Value}"));
        // An empty content root: no appsettings.json of another application in the test folder is read.
        var contentRoot = Directory.CreateTempSubdirectory("etpp-sim-").FullName;
        var app = EtppSimulatorApp.Create(new WebApplicationOptions { Args = [.. args], ContentRootPath = contentRoot });
        await app.StartAsync();
        var url = app.Urls.Single();
        return new RunningSimulator(app, contentRoot, new Uri(url.EndsWith('/') ? url : url + "/"));
    }

    /// <summary>A client registered with <see cref="EtppPushServiceCollectionExtensions.AddEtppClient"/>.</summary>
    public EtppClient CreateClient(TimeSpan? timeout = null, Action<IHttpClientBuilder>? configure = null, Uri? baseAddress = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EtppPush:BaseAddress"] = (baseAddress ?? BaseAddress).ToString(),
            ["EtppPush:Timeout"] = (timeout ?? TimeSpan.FromSeconds(30)).ToString(),
        }).Build();
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
