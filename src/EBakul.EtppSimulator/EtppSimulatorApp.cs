using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
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
        var options = section.Get<EtppSimulatorOptions>() ?? new EtppSimulatorOptions();

        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.ConfigureHttpsDefaults(https => UseTls(https, options));
        });
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

    /// <summary>The server certificate, and the client certificates required when authorities are configured.</summary>
    private static void UseTls(HttpsConnectionAdapterOptions https, EtppSimulatorOptions options)
    {
        if (string.IsNullOrEmpty(options.CertificatePath) || string.IsNullOrEmpty(options.CertificateKeyPath))
            throw new InvalidOperationException($"an https URL needs {EtppSimulatorOptions.Section}:CertificatePath and :CertificateKeyPath");
        https.ServerCertificate = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath);
        if (string.IsNullOrEmpty(options.ClientCertificateAuthorities)) return;
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(options.ClientCertificateAuthorities);
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.CheckCertificateRevocation = false;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            return chain.Build(certificate);
        };
    }
}
