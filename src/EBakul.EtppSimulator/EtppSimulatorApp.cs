using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EBakul.EtppSimulator;

/// <summary>Builds the simulator: options, store, faults, the one-line request log and the endpoints.</summary>
public static class EtppSimulatorApp
{
    /// <summary>The simulator for command-line arguments.</summary>
    public static WebApplication Create(string[] args) => Create(new WebApplicationOptions { Args = args });

    /// <summary>The simulator with explicit host options (e.g. another content root).</summary>
    public static WebApplication Create(WebApplicationOptions hostOptions)
    {
        var builder = WebApplication.CreateBuilder(hostOptions);
        var section = builder.Configuration.GetSection(EtppSimulatorOptions.Section);
        var url = section.Get<EtppSimulatorOptions>()?.Url ?? new EtppSimulatorOptions().Url;

        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.Configure<EtppSimulatorOptions>(section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AdjustmentStore>();
        builder.Services.AddSingleton<FaultInjector>();
        builder.Services.AddSingleton<RejectionRules>();

        var app = builder.Build();
        // Created now so that an unreadable store or invalid faults stop the start, not the first request.
        app.Services.GetRequiredService<AdjustmentStore>();
        app.Services.GetRequiredService<FaultInjector>();

        app.UseRequestLog();
        app.MapTppAdjustments();
        app.MapSimulatorControl();
        return app;
    }
}
