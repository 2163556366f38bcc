using EBakul.Audit.V1;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using EBakul.Regions.V1;
using EBakul.Reports.V1;
using EBakul.Roster.V1;
using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EBakul.Client;

/// <summary>Registers the hub's gRPC clients in a service collection.</summary>
public static class EBakulClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers one client per hub service (<see cref="LedgerService.LedgerServiceClient"/>,
    /// <see cref="MerchantService.MerchantServiceClient"/>, <see cref="QuotaService.QuotaServiceClient"/>, …) through
    /// <c>Grpc.Net.ClientFactory</c>. Every call carries the bearer token (<see cref="EBakulClientOptions.Token"/>, or one from
    /// <see cref="EBakulClientOptions.TokenProvider"/>); unary calls get
    /// <see cref="EBakulClientOptions.DefaultDeadline"/> unless they set a deadline; UNAVAILABLE and RESOURCE_EXHAUSTED
    /// are retried with exponential backoff; a request with an empty <c>request_id</c> gets a fresh one before its first
    /// attempt, so every retry carries the same id and the hub records the call at most once.
    /// </summary>
    public static IServiceCollection AddEBakulClient(this IServiceCollection services, Action<EBakulClientOptions> configure)
    {
        services.AddOptions<EBakulClientOptions>()
            .Configure(configure)
            .Validate(o => o.Address is { IsAbsoluteUri: true }, "EBakulClientOptions.Address must be an absolute http:// or https:// address")
            .Validate(o => o.MaxAttempts >= 1, "EBakulClientOptions.MaxAttempts must be at least 1")
            .Validate(o => o.DefaultDeadline > TimeSpan.Zero, "EBakulClientOptions.DefaultDeadline must be positive");
        services.AddSingleton<RequestIdInterceptor>();
        services.AddSingleton(sp => new DefaultDeadlineInterceptor(sp.GetRequiredService<IOptions<EBakulClientOptions>>().Value.DefaultDeadline));

        AddHubClient<LedgerService.LedgerServiceClient>(services);
        AddHubClient<MerchantService.MerchantServiceClient>(services);
        AddHubClient<RosterService.RosterServiceClient>(services);
        AddHubClient<QuotaService.QuotaServiceClient>(services);
        AddHubClient<PayrollService.PayrollServiceClient>(services);
        AddHubClient<RegionService.RegionServiceClient>(services);
        AddHubClient<AuditService.AuditServiceClient>(services);
        AddHubClient<ReportService.ReportServiceClient>(services);
        return services;
    }

    private static void AddHubClient<TClient>(IServiceCollection services) where TClient : class =>
        services.AddGrpcClient<TClient>((sp, o) => o.Address = Options(sp).Address)
            .ConfigureChannel((sp, channel) =>
            {
                var options = Options(sp);
                channel.ServiceConfig = new ServiceConfig { MethodConfigs = { RetryConfig(options) } };
                // A bearer token over cleartext is what the hub's development endpoint (http://127.0.0.1:5080) expects;
                // production deployments use https://.
                channel.UnsafeUseInsecureChannelCallCredentials = options.Address!.Scheme == Uri.UriSchemeHttp;
                channel.MaxReceiveMessageSize = 16 * 1024 * 1024;
            })
            // The request id is filled first, then the deadline set; both happen once per call, above the retries.
            .AddInterceptor<RequestIdInterceptor>(InterceptorScope.Client)
            .AddInterceptor<DefaultDeadlineInterceptor>(InterceptorScope.Client)
            .AddCallCredentials(async (context, metadata, sp) =>
            {
                var options = Options(sp);
                var token = options.TokenProvider is { } provider ? await provider(context.CancellationToken) : options.Token;
                if (token is { Length: > 0 }) metadata.Add("authorization", $"Bearer {token}");
            });

    /// <summary>AIP-194: retry UNAVAILABLE and RESOURCE_EXHAUSTED with jittered exponential backoff, on every method.</summary>
    private static MethodConfig RetryConfig(EBakulClientOptions options) => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = options.MaxAttempts,
            InitialBackoff = options.InitialBackoff,
            MaxBackoff = options.MaxBackoff,
            BackoffMultiplier = options.BackoffMultiplier,
            RetryableStatusCodes = { StatusCode.Unavailable, StatusCode.ResourceExhausted },
        },
    };

    private static EBakulClientOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<EBakulClientOptions>>().Value;
}
