using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// A real hub process (<see cref="RestartableHubProcess"/>) on a database of its own in a folder of its own, called over
/// gRPC with the development admin token it wrote beside the database on its first start.
/// </summary>
public sealed class FaultHub : IAsyncDisposable
{
    private GrpcChannel? _channel;
    private string? _token;

    /// <summary>Prepares the hub; <see cref="StartAsync"/> starts it.</summary>
    public FaultHub(IReadOnlyDictionary<string, string?>? settings = null)
    {
        Folder = Path.Combine(TestRunFolder.Path, "fault-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Folder);
        Process = new RestartableHubProcess(DatabasePath, settings ?? new Dictionary<string, string?>());
    }

    /// <summary>The folder of the database files.</summary>
    public string Folder { get; }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath => Path.Combine(Folder, "hub.db");

    /// <summary>The database file and its <c>-wal</c> and <c>-shm</c> files.</summary>
    public IEnumerable<string> DatabaseFiles => new[] { "", "-wal", "-shm" }.Select(s => DatabasePath + s);

    /// <summary>The hub process.</summary>
    public RestartableHubProcess Process { get; }

    /// <summary>A channel to the running hub (a new one after each start).</summary>
    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("the hub is not started");

    /// <summary>The merchant service as the development admin.</summary>
    public MerchantService.MerchantServiceClient Merchants => new(Channel);

    /// <summary>Starts (or restarts) the hub and opens a channel to it.</summary>
    public async Task StartAsync()
    {
        _channel?.Dispose();
        await Process.StartAsync();
        _token ??= File.ReadLines(Path.Combine(Folder, "dev-credentials.env"))
            .Single(line => line.StartsWith("EBAKUL_TOKEN=", StringComparison.Ordinal))["EBAKUL_TOKEN=".Length..];
        _channel = OpenChannel();
    }

    /// <summary>A new channel (its own HTTP/2 connection) to the started hub as the development admin; the caller disposes it.</summary>
    public GrpcChannel OpenChannel()
    {
        var token = _token ?? throw new InvalidOperationException("the hub is not started");
        var bearer = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(Process.Address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, bearer),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    /// <summary>A registration of a new, valid merchant under a new request_id.</summary>
    public static RegisterMerchantRequest NewRegistration() => new()
    {
        RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, Merchant = TestData.ValidMerchantDraft(),
    };

    /// <summary>Every merchant id of the regency, read page by page.</summary>
    public async Task<List<string>> MerchantIdsAsync()
    {
        var ids = new List<string>();
        var request = new ListMerchantsRequest { RegencyCode = TestData.Regency, PageSize = 1000 };
        do
        {
            var page = await Merchants.ListMerchantsAsync(request, deadline: DateTime.UtcNow.AddMinutes(1));
            ids.AddRange(page.Merchants.Select(m => m.MerchantId));
            request.PageToken = page.NextPageToken;
        } while (request.PageToken.Length > 0);
        return ids;
    }

    /// <summary>Waits (up to a minute: the health service caches the checks' results) for the hub's health to be <paramref name="status"/>.</summary>
    public async Task WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus status)
    {
        var health = new Health.HealthClient(Channel);
        var last = HealthCheckResponse.Types.ServingStatus.Unknown;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromMinutes(1); await Task.Delay(250))
        {
            last = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
            if (last == status) return;
        }
        throw new TimeoutException($"health stayed {last}, not {status}:\n{Process.Output}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await Process.DisposeAsync();
    }
}
