using System.Diagnostics;
using System.Net;
using System.Reflection;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Roster.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Client.Tests;

/// <summary>EBakul.Client (AddEBakulClient) and its sample program against the real hub process.</summary>
[Collection(HubClientCollection.Name)]
public sealed class EBakulClientTests(HubClientFixture hub)
{
    private const string Regency = "35.22";
    private static int _nextSequence = 100;

    [Fact]
    public async Task Sample_program_records_a_purchase_and_reads_the_employees_progress()
    {
        var configuration = typeof(EBakulClientTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var sampleDll = Path.Combine(RestartableHubProcess.FindRepositoryRoot(), "clients", "dotnet", "samples", "RecordPurchase", "bin",
            configuration, new DirectoryInfo(AppContext.BaseDirectory).Name, "RecordPurchase.dll");
        var start = new ProcessStartInfo("dotnet", [sampleDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The sample built for the same framework as the tests: its net8.0 build runs on .NET 8 where installed, else on
        // the newest runtime installed.
        start.Environment["DOTNET_ROLL_FORWARD"] = "Major";
        start.Environment["EBAKUL_ADDRESS"] = hub.Hub.Address;
        start.Environment["EBAKUL_TOKEN"] = hub.Token;
        using var sample = Process.Start(start)!;
        var output = sample.StandardOutput.ReadToEndAsync();
        var errors = sample.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await sample.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!sample.HasExited) sample.Kill(entireProcessTree: true);
        }

        Assert.True(sample.ExitCode == 0, $"exit {sample.ExitCode}\n{await output}\n{await errors}");
        var printed = await output;
        Assert.Contains("registered and verified", printed);
        // Rupiah as Indonesian writes them: Rp75.000.
        Assert.Matches(@"purchase \S+ recorded: Rp75\.000 in \d{4}-\d{2}", printed);
        Assert.Matches(@"progress \d{4}-\d{2}: counted Rp75\.000 of Rp\d{1,3}(\.\d{3})*, remaining Rp\d{1,3}(\.\d{3})*, ", printed);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.ResourceExhausted)]
    public async Task A_retried_purchase_carries_the_filled_request_id_on_every_attempt_and_is_recorded_once(StatusCode firstAnswer)
    {
        var failFirst = new FailFirstRecordPurchase(firstAnswer);
        await using var provider = Clients(configure: null, failFirst);
        var ledger = provider.GetRequiredService<LedgerService.LedgerServiceClient>();
        var (merchantId, nip) = await MerchantAndEmployeeAsync(provider);

        var request = new RecordPurchaseRequest { RegencyCode = Regency, Purchase = Draft(merchantId, nip, 50_000, "NT-RETRY") };
        var recorded = (await ledger.RecordPurchaseAsync(request)).Purchase;

        Assert.Matches("^[0-9a-f]{32}$", request.RequestId);
        Assert.Equal([request.RequestId, request.RequestId], failFirst.RequestIds);
        var listed = await ledger.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency, EmployeeNip = nip });
        Assert.Equal(recorded.PurchaseId, Assert.Single(listed.Purchases).PurchaseId);

        // Repeating the call with the same request (and so the same id) answers the same entry.
        var again = (await ledger.RecordPurchaseAsync(request)).Purchase;
        Assert.Equal(recorded.PurchaseId, again.PurchaseId);
    }

    [Fact]
    public async Task A_caller_set_request_id_is_kept()
    {
        await using var provider = Clients();
        var (merchantId, nip) = await MerchantAndEmployeeAsync(provider);
        var request = new RecordPurchaseRequest { RequestId = "caller-chosen-1", RegencyCode = Regency, Purchase = Draft(merchantId, nip, 20_000, "NT-OWN") };
        await provider.GetRequiredService<LedgerService.LedgerServiceClient>().RecordPurchaseAsync(request);
        Assert.Equal("caller-chosen-1", request.RequestId);
    }

    [Fact]
    public async Task An_invalid_purchase_fails_with_its_field_violation_and_is_not_retried()
    {
        var counter = new FailFirstRecordPurchase(null);
        await using var provider = Clients(configure: null, counter);
        var (merchantId, nip) = await MerchantAndEmployeeAsync(provider);
        var ledger = provider.GetRequiredService<LedgerService.LedgerServiceClient>();

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            ledger.RecordPurchaseAsync(new RecordPurchaseRequest { RegencyCode = Regency, Purchase = Draft(merchantId, nip, 0, "NT-ZERO") }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var violation = Assert.Single(e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal("purchase.amount_rupiah", violation.Field);
        Assert.Single(counter.RequestIds);
    }

    [Fact]
    public async Task A_call_without_its_own_deadline_gets_the_default_one()
    {
        await using var provider = Clients(o => o.DefaultDeadline = TimeSpan.FromTicks(1));
        var merchants = provider.GetRequiredService<MerchantService.MerchantServiceClient>();

        var e = await Assert.ThrowsAsync<RpcException>(() => merchants.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = Regency }).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        // A deadline set by the caller wins.
        await merchants.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = Regency }, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    [Fact]
    public async Task A_client_without_a_token_is_refused_as_unauthenticated()
    {
        await using var provider = Clients(o => o.Token = null);
        var e = await Assert.ThrowsAsync<RpcException>(() => provider.GetRequiredService<MerchantService.MerchantServiceClient>()
            .ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = Regency }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    private ServiceProvider Clients(Action<EBakulClientOptions>? configure = null, FailFirstRecordPurchase? attempts = null)
    {
        var services = new ServiceCollection();
        services.AddEBakulClient(o =>
        {
            o.Address = new Uri(hub.Hub.Address);
            o.Token = hub.Token;
            o.InitialBackoff = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        if (attempts is not null) services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(attempts.NewHandler));
        return services.BuildServiceProvider();
    }

    /// <summary>A verified merchant and an active employee of their own, so tests do not see each other's purchases.</summary>
    private static async Task<(string MerchantId, string Nip)> MerchantAndEmployeeAsync(IServiceProvider provider)
    {
        var merchants = provider.GetRequiredService<MerchantService.MerchantServiceClient>();
        var merchant = (await merchants.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RegencyCode = Regency,
            Merchant = new MerchantDraft
            {
                Name = "Toko Pak Darmo", OwnerName = "Darmo", OwnerNik = "3522011203700002", Category = MerchantCategory.FoodAndDrink,
                Scale = MerchantScale.Micro, KecamatanCode = "35.22.15", Address = "Jl. Diponegoro 3, Bojonegoro",
                Location = new GeoPoint { Latitude = -7.15, Longitude = 111.88 },
            },
        })).Merchant;
        await merchants.VerifyMerchantAsync(new VerifyMerchantRequest { RegencyCode = Regency, MerchantId = merchant.MerchantId, Reason = "checked" });

        var nip = $"199001012015011{Interlocked.Increment(ref _nextSequence):D3}";
        using var sync = provider.GetRequiredService<RosterService.RosterServiceClient>().SyncEmployees();
        await sync.RequestStream.WriteAsync(new SyncEmployeesRequest
        {
            RequestId = Guid.NewGuid().ToString("N"),
            RegencyCode = Regency,
            Employees =
            {
                new Employee
                {
                    Nip = nip, Name = "Siti Aminah", OfficeCode = "1.02.01", OfficeName = "Dinas Kesehatan", KelasJabatan = 7,
                    EmploymentType = EmploymentType.Pns, Echelon = Echelon.NonStructural, TppCeilingRupiah = 3_000_000,
                    Status = EmployeeStatus.Active, StatusEffectiveDate = new Google.Type.Date { Year = 2020, Month = 1, Day = 2 },
                },
            },
        });
        await sync.RequestStream.CompleteAsync();
        await foreach (var chunk in sync.ResponseStream.ReadAllAsync())
            Assert.All(chunk.Results, r => Assert.NotEqual(SyncOutcome.Rejected, r.Outcome));
        return (merchant.MerchantId, nip);
    }

    private static PurchaseDraft Draft(string merchantId, string nip, long amount, string receipt) => new()
    {
        EmployeeNip = nip, MerchantId = merchantId, AmountRupiah = amount,
        OccurTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), // after the merchant's verification
        ReceiptKind = ReceiptKind.Nota, ReceiptReference = receipt,
    };

    /// <summary>
    /// Sits between the client and the hub (one handler per client pipeline, one log for all): notes the request_id of
    /// every RecordPurchase attempt and answers the first one itself with the given status (as a gRPC trailers-only
    /// response), as an overloaded hub would.
    /// </summary>
    private sealed class FailFirstRecordPurchase(StatusCode? firstAnswer)
    {
        private readonly StatusCode? _firstAnswer = firstAnswer;
        private readonly List<string> _requestIds = [];

        public IReadOnlyList<string> RequestIds
        {
            get { lock (_requestIds) return [.. _requestIds]; }
        }

        public DelegatingHandler NewHandler() => new Handler(this);

        private sealed class Handler(FailFirstRecordPurchase log) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.RequestUri?.AbsolutePath.EndsWith("/RecordPurchase", StringComparison.Ordinal) != true)
                    return await base.SendAsync(request, cancellationToken);

                var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
                // gRPC framing: 1 byte compressed flag, 4 bytes length, then the message.
                int attempt;
                lock (log._requestIds)
                {
                    log._requestIds.Add(RecordPurchaseRequest.Parser.ParseFrom(body.AsSpan(5).ToArray()).RequestId);
                    attempt = log._requestIds.Count;
                }
                if (attempt == 1 && log._firstAnswer is { } status)
                {
                    var refusal = new HttpResponseMessage(HttpStatusCode.OK) { Version = request.Version, Content = new ByteArrayContent([]) };
                    refusal.Content.Headers.ContentType = new("application/grpc");
                    refusal.Headers.Add("grpc-status", ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    refusal.Headers.Add("grpc-message", "refused by the test");
                    return refusal;
                }

                var copy = new ByteArrayContent(body);
                foreach (var header in request.Content.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
                request.Content = copy;
                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}
