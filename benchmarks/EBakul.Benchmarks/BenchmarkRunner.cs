using System.Diagnostics;
using EBakul.Hub.DemoData;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Roster.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;

namespace EBakul.Benchmarks;

/// <summary>Runs the scenarios of the benchmark, each against a hub process started for it.</summary>
public sealed class BenchmarkRunner(BenchmarkOptions options, TextWriter log)
{
    private const string Regency = "35.22";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Runs every scenario and returns their figures.</summary>
    public async Task<List<ScenarioResult>> RunAsync()
    {
        var results = new List<ScenarioResult>();
        await using (var hub = await StartAsync("ledger hub (demo roster and merchants, no purchases)",
            "--DemoData:Enabled=true", $"--DemoData:Merchants={(options.Smoke ? 500 : 5_000)}", "--DemoData:Employees=8470",
            "--DemoData:PurchasesPerEmployee=0"))
        {
            results.Add(await BaselineAsync(hub));
            var (nips, merchantIds) = await ActorsAsync(hub);
            results.Add(await RecordSingleAsync(hub, nips, merchantIds));
            results.Add(await RecordBatchesAsync(hub, nips, merchantIds));
            results.Add(await ImportMerchantsAsync(hub));
            results.Add(await SyncEmployeesAsync(hub));
        }
        await using (var province = await StartAsync(
            $"province hub ({options.ProvinceEmployees:N0} employees, {options.ProvinceEmployees * (long)options.ProvincePurchasesPerEmployee:N0} purchases)",
            "--DemoData:Enabled=true", $"--DemoData:Merchants={options.ProvinceMerchants}", $"--DemoData:Employees={options.ProvinceEmployees}",
            $"--DemoData:PurchasesPerEmployee={options.ProvincePurchasesPerEmployee}"))
        {
            results.Add(await BaselineAsync(province, "baseline (province hub)"));
            results.Add(await ClosePeriodAsync(province));
        }
        return results;
    }

    private async Task<HubProcess> StartAsync(string what, params string[] settings)
    {
        log.WriteLine($"starting {what} ...");
        var started = Stopwatch.StartNew();
        var hub = await HubProcess.StartAsync(options.HubDll, settings, StartupTimeout);
        log.WriteLine($"  serving after {started.Elapsed.TotalSeconds:0.0} s (pid {hub.ProcessId})");
        return hub;
    }

    private async Task<ScenarioResult> BaselineAsync(HubProcess hub, string name = "baseline: health check (empty unary call)")
    {
        var client = new Health.HealthClient(hub.Channel);
        var request = new HealthCheckRequest();
        hub.ResetPeakMemory();
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.Duration, async _ => await client.CheckAsync(request));
        return new ScenarioResult(name, count, "calls", elapsed, latencies, hub.PeakMemoryBytes());
    }

    private async Task<(string[] Nips, string[] MerchantIds)> ActorsAsync(HubProcess hub)
    {
        var roster = new RosterService.RosterServiceClient(hub.Channel);
        var merchants = new MerchantService.MerchantServiceClient(hub.Channel);
        var nips = new List<string>();
        var token = "";
        do
        {
            var page = await roster.ListEmployeesAsync(new ListEmployeesRequest { RegencyCode = Regency, Status = EmployeeStatus.Active, PageSize = 1000, PageToken = token });
            nips.AddRange(page.Employees.Select(e => e.Nip));
            token = page.NextPageToken;
        } while (token.Length > 0);
        var ids = new List<string>();
        do
        {
            var page = await merchants.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = Regency, Status = MerchantStatus.Active, PageSize = 1000, PageToken = token });
            ids.AddRange(page.Merchants.Select(m => m.MerchantId));
            token = page.NextPageToken;
        } while (token.Length > 0);
        log.WriteLine($"  {nips.Count:N0} active employees, {ids.Count:N0} active merchants");
        return (nips.ToArray(), ids.ToArray());
    }

    private PurchaseDraft Draft(string[] nips, string[] merchantIds, long n) => new()
    {
        EmployeeNip = nips[n % nips.Length],
        MerchantId = merchantIds[(n * 7919) % merchantIds.Length],
        AmountRupiah = 10_000 + n % 200 * 500,
        OccurTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-30)),
        ReceiptKind = ReceiptKind.Nota,
        ReceiptReference = $"BENCH-{n}",
    };

    private async Task<ScenarioResult> RecordSingleAsync(HubProcess hub, string[] nips, string[] merchantIds)
    {
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var runId = Guid.NewGuid().ToString("N")[..8];
        hub.ResetPeakMemory();
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.Duration, async n =>
            await client.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = $"{runId}-{n}", RegencyCode = Regency, Purchase = Draft(nips, merchantIds, n) }));
        return new ScenarioResult($"RecordPurchase, {options.InFlight} in flight, durable", count, "purchases", elapsed, latencies, hub.PeakMemoryBytes());
    }

    private async Task<ScenarioResult> RecordBatchesAsync(HubProcess hub, string[] nips, string[] merchantIds)
    {
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var runId = Guid.NewGuid().ToString("N")[..8];
        const int inFlight = 8;
        hub.ResetPeakMemory();
        var (count, elapsed, latencies) = await LoadRun.RunAsync(inFlight, options.Duration, async n =>
        {
            var request = new RecordPurchasesRequest { RequestId = $"{runId}-b{n}", RegencyCode = Regency };
            for (var i = 0; i < options.BatchSize; i++) request.Purchases.Add(Draft(nips, merchantIds, 1_000_000_000 + n * options.BatchSize + i));
            var response = await client.RecordPurchasesAsync(request);
            if (response.Results.Any(r => r.Outcome != RecordOutcome.Recorded))
                throw new InvalidOperationException($"batch item rejected: {response.Results.First(r => r.Outcome != RecordOutcome.Recorded)}");
        });
        return new ScenarioResult($"RecordPurchases, batches of {options.BatchSize}, {inFlight} in flight", count * options.BatchSize, "purchases",
            elapsed, latencies, hub.PeakMemoryBytes());
    }

    private async Task<ScenarioResult> ImportMerchantsAsync(HubProcess hub)
    {
        var generator = new DemoDataGenerator(new DemoDataOptions { Merchants = options.ImportMerchants, Employees = 0, Seed = 3522 }, DateTimeOffset.UtcNow);
        var client = new MerchantService.MerchantServiceClient(hub.Channel);
        const int chunkSize = 2_000;
        var chunkLatencies = new List<double>();
        hub.ResetPeakMemory();
        var started = Stopwatch.StartNew();
        using var call = client.ImportMerchants();
        var accepted = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                accepted += response.AcceptedCount;
                if (response.RejectedCount > 0) throw new InvalidOperationException($"import rejected rows: {response.Results.First(r => r.Outcome == ImportOutcome.Rejected)}");
            }
        });
        var chunk = 0;
        foreach (var rows in generator.Merchants().Chunk(chunkSize))
        {
            var request = new ImportMerchantsRequest { RequestId = $"import-{chunk++}", RegencyCode = Regency };
            request.Merchants.AddRange(rows.Select(m => new MerchantDraft
            {
                Name = m.Name, OwnerName = m.OwnerName, OwnerNik = m.OwnerNik, Nib = m.Nib ?? "",
                Category = (MerchantCategory)(int)m.Category, Scale = (MerchantScale)(int)m.Scale, KecamatanCode = m.KecamatanCode,
                Address = m.Address, Location = new GeoPoint { Latitude = m.Latitude, Longitude = m.Longitude }, QrisNmid = m.QrisNmid ?? "",
            }));
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        await reader;
        started.Stop();
        return new ScenarioResult($"ImportMerchants stream, chunks of {chunkSize}", accepted, "merchants", started.Elapsed, [], hub.PeakMemoryBytes());
    }

    private async Task<ScenarioResult> SyncEmployeesAsync(HubProcess hub)
    {
        var generator = new DemoDataGenerator(new DemoDataOptions { Merchants = 0, Employees = options.SyncEmployees, Seed = 3523 }, DateTimeOffset.UtcNow);
        var client = new RosterService.RosterServiceClient(hub.Channel);
        const int chunkSize = 5_000;
        hub.ResetPeakMemory();
        var started = Stopwatch.StartNew();
        using var call = client.SyncEmployees();
        long stored = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                stored += response.Results.Count(r => r.Outcome is SyncOutcome.Created or SyncOutcome.Updated or SyncOutcome.Unchanged);
                var rejected = response.Results.FirstOrDefault(r => r.Outcome == SyncOutcome.Rejected);
                if (rejected is not null) throw new InvalidOperationException($"sync rejected a row: {rejected}");
            }
        });
        var chunk = 0;
        foreach (var rows in generator.Employees().Chunk(chunkSize))
        {
            var request = new SyncEmployeesRequest { RequestId = $"sync-{chunk++}", RegencyCode = Regency };
            request.Employees.AddRange(rows.Select(e => new Employee
            {
                Nip = e.Nip, Name = e.Name, OfficeCode = e.Office.Code, OfficeName = e.Office.Name, KelasJabatan = e.KelasJabatan,
                EmploymentType = (EmploymentType)(int)e.EmploymentType, Echelon = (Echelon)(int)e.Echelon, TppCeilingRupiah = e.TppCeilingRupiah,
                Status = (EmployeeStatus)(int)e.Current.Status,
                StatusEffectiveDate = new Google.Type.Date { Year = e.Current.EffectiveDate.Year, Month = e.Current.EffectiveDate.Month, Day = e.Current.EffectiveDate.Day },
            }));
            await call.RequestStream.WriteAsync(request);
        }
        await call.RequestStream.CompleteAsync();
        await reader;
        started.Stop();
        return new ScenarioResult($"SyncEmployees stream, chunks of {chunkSize}", stored, "employees", started.Elapsed, [], hub.PeakMemoryBytes());
    }

    private async Task<ScenarioResult> ClosePeriodAsync(HubProcess hub)
    {
        var client = new PayrollService.PayrollServiceClient(hub.Channel);
        var period = EBakul.Hub.Domain.Period.Containing(DateTimeOffset.UtcNow).Previous.ToString();
        hub.ResetPeakMemory();
        var started = Stopwatch.StartNew();
        var response = await client.ClosePeriodAsync(new ClosePeriodRequest { RequestId = $"close-{period}", RegencyCode = Regency, Period = period });
        started.Stop();
        log.WriteLine($"  closed {period}: {response.Period.Totals.Employees:N0} employees, {response.AdjustmentsCreated:N0} adjustments");
        return new ScenarioResult($"ClosePeriod {period}: evaluate + freeze + adjustments", response.Period.Totals.Employees, "employees",
            started.Elapsed, [], hub.PeakMemoryBytes());
    }
}
