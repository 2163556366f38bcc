// Records a purchase with EBakul.Client and reads the buyer's progress for the month.
//   EBAKUL_ADDRESS  the hub's gRPC endpoint (default http://127.0.0.1:5080)
//   EBAKUL_TOKEN    a bearer token with merchants.write, merchants.verify, roster.sync, purchases.write and quota.read
//                   (the development admin token in dev-credentials.env has them all)
using System.Globalization;
using EBakul.Client;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Quota.V1;
using EBakul.Roster.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

const string Regency = "35.22";
const string Nip = "198503152010011001";
// Rupiah as Indonesian writes it: "Rp75.000" (the "Rp" sign, no space, "." between thousands, no decimals).
var indonesian = CultureInfo.GetCultureInfo("id-ID");
string Rupiah(long amount) => (amount < 0 ? "-Rp" : "Rp") + Math.Abs(amount).ToString("N0", indonesian);

var token = Environment.GetEnvironmentVariable("EBAKUL_TOKEN");
if (string.IsNullOrEmpty(token))
{
    Console.Error.WriteLine("set EBAKUL_TOKEN to a bearer token (see dev-credentials.env beside the hub's database)");
    return 2;
}

var services = new ServiceCollection();
services.AddEBakulClient(o =>
{
    o.Address = new Uri(Environment.GetEnvironmentVariable("EBAKUL_ADDRESS") ?? "http://127.0.0.1:5080");
    o.Token = token;
});
await using var provider = services.BuildServiceProvider();
var merchants = provider.GetRequiredService<MerchantService.MerchantServiceClient>();
var roster = provider.GetRequiredService<RosterService.RosterServiceClient>();
var ledger = provider.GetRequiredService<LedgerService.LedgerServiceClient>();
var quota = provider.GetRequiredService<QuotaService.QuotaServiceClient>();

try
{
    // 1. Register a merchant (request_id left empty: the client fills it) and verify it, so it can take purchases.
    var registered = await merchants.RegisterMerchantAsync(new RegisterMerchantRequest
    {
        RegencyCode = Regency,
        Merchant = new MerchantDraft
        {
            Name = "Warung Bu Sri", OwnerName = "Sri Wahyuni", OwnerNik = "3522015708850001",
            Category = MerchantCategory.FoodAndDrink, Scale = MerchantScale.Micro,
            KecamatanCode = "35.22.15", Address = "Jl. Veteran 12, Bojonegoro",
            Location = new GeoPoint { Latitude = -7.1502, Longitude = 111.8817 },
        },
    });
    var merchantId = registered.Merchant.MerchantId;
    await merchants.VerifyMerchantAsync(new VerifyMerchantRequest { RegencyCode = Regency, MerchantId = merchantId, Reason = "field visit, NIB checked" });
    Console.WriteLine($"merchant {merchantId} registered and verified");

    // 2. The buyer must be on the roster; SyncEmployees is a stream of chunks, each with its own request_id.
    using (var sync = roster.SyncEmployees())
    {
        await sync.RequestStream.WriteAsync(new SyncEmployeesRequest
        {
            RequestId = Guid.NewGuid().ToString("N"),
            RegencyCode = Regency,
            Employees =
            {
                new Employee
                {
                    Nip = Nip, Name = "Budi Santoso", OfficeCode = "1.02.01", OfficeName = "Dinas Kesehatan", KelasJabatan = 9,
                    EmploymentType = EmploymentType.Pns, Echelon = Echelon.NonStructural, TppCeilingRupiah = 4_000_000,
                    Status = EmployeeStatus.Active, StatusEffectiveDate = new Google.Type.Date { Year = 2020, Month = 1, Day = 2 },
                },
            },
        });
        await sync.RequestStream.CompleteAsync();
        await foreach (var chunk in sync.ResponseStream.ReadAllAsync())
            foreach (var result in chunk.Results)
                Console.WriteLine($"employee {result.Nip}: {result.Outcome}");
    }

    // 3. Record a purchase. A retry after UNAVAILABLE resends the same request_id, so it is recorded once.
    var record = new RecordPurchaseRequest
    {
        RegencyCode = Regency,
        Purchase = new PurchaseDraft
        {
            EmployeeNip = Nip, MerchantId = merchantId, AmountRupiah = 75_000,
            OccurTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), // after the verification: counted
            ReceiptKind = ReceiptKind.Nota, ReceiptReference = "NT-0001",
        },
    };
    var purchase = (await ledger.RecordPurchaseAsync(record)).Purchase;
    Console.WriteLine($"purchase {purchase.PurchaseId} recorded: {Rupiah(purchase.AmountRupiah)} in {purchase.Period} (request_id {record.RequestId})");

    // 4. The employee's progress for the month the purchase counts in.
    var evaluated = await quota.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = Nip, Period = purchase.Period });
    var progress = evaluated.Evaluation;
    foreach (var uncounted in evaluated.UncountedPurchases)
        Console.WriteLine($"not counted in full: {uncounted.ReceiptReference} ({uncounted.Reason}: {uncounted.Explanation})");
    Console.WriteLine($"progress {progress.Period}: counted {Rupiah(progress.CountedRupiah)} of {Rupiah(progress.RequiredRupiah)}, remaining {Rupiah(progress.RemainingRupiah)}, outcome {progress.Outcome}");
    return 0;
}
catch (RpcException e)
{
    // The hub's details: google.rpc.BadRequest lists each invalid field.
    Console.Error.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
    if (e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>() is { } badRequest)
        foreach (var violation in badRequest.FieldViolations)
            Console.Error.WriteLine($"  {violation.Field}: {violation.Description}");
    return 1;
}
