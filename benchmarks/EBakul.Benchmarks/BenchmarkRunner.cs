using System.Diagnostics;
using System.Globalization;
using EBakul.Hub.DemoData;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Roster.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace EBakul.Benchmarks;

/// <summary>Runs the scenarios of the benchmark, each against a hub process started for it.</summary>
public sealed class BenchmarkRunner(BenchmarkOptions options, TextWriter log)
{
    private const string Regency = "35.22";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Runs the chosen scenarios and returns their figures.</summary>
    public async Task<List<ScenarioResult>> RunAsync()
    {
        var results = new List<ScenarioResult>();
        bool Runs(string scenario) => options.Scenarios.Contains(scenario);
        if (Runs("single") || Runs("json") || Runs("batch") || Runs("floor") || Runs("import") || Runs("sync"))
        {
            await using var hub = await StartAsync($"ledger hub ({options.LedgerEmployees:N0} employees, {options.LedgerMerchants:N0} merchants, no purchases)",
                "--DemoData:Enabled=true", $"--DemoData:Merchants={options.LedgerMerchants}", $"--DemoData:Employees={options.LedgerEmployees}",
                "--DemoData:PurchasesPerEmployee=0");
            var baseline = await BaselineAsync(hub, "baseline: health check (empty unary call)");
            results.Add(baseline);
            if (Runs("single") || Runs("json") || Runs("batch") || Runs("floor"))
            {
                var actors = await ActorsAsync(hub);
                if (Runs("single")) results.Add(await RecordSingleAsync(hub, actors) with { Baseline = baseline });
                if (Runs("json")) results.Add(await RecordSingleJsonAsync(hub, actors) with { Baseline = baseline });
                if (Runs("batch")) results.Add(await RecordBatchesAsync(hub, actors) with { Baseline = baseline });
                if (Runs("floor"))
                {
                    foreach (var floor in await new StorageFloor(options, log).RunAsync(actors)) results.Add(floor with { Baseline = baseline });
                }
            }
            if (Runs("import")) results.Add(await ImportMerchantsAsync(hub) with { Baseline = baseline });
            if (Runs("sync")) results.Add(await SyncEmployeesAsync(hub) with { Baseline = baseline });
        }
        if (Runs("close") || Runs("reports"))
        {
            var period = ClosablePeriod(DateTimeOffset.UtcNow);
            var purchases = options.ProvinceEmployees * (long)options.ProvincePurchasesPerEmployee;
            var started = Stopwatch.StartNew();
            var loaded = await StartAsync(
                $"province hub ({options.ProvinceEmployees:N0} employees, about {purchases:N0} purchases in {period}, {options.ProvinceMerchants:N0} merchants)",
                "--DemoData:Enabled=true", $"--DemoData:Merchants={options.ProvinceMerchants}", $"--DemoData:Employees={options.ProvinceEmployees}",
                $"--DemoData:PurchasesPerEmployee={options.ProvincePurchasesPerEmployee}", $"--DemoData:Period={period}");
            log.WriteLine($"  demo data loaded and hub serving after {started.Elapsed.TotalSeconds:0.0} s");
            // The month is closed by a hub process serving the database, as in production, not by the process that has
            // just generated ten million rows (whose memory would count in the close's peak).
            log.WriteLine("restarting the province hub on its database ...");
            await using var province = await loaded.RestartAsync(options.HubDll, options.HubSettings.Select(s => "--" + s), StartupTimeout);
            log.WriteLine($"  serving again (pid {province.ProcessId})");
            var baseline = await BaselineAsync(province, "baseline: health check (province hub)");
            results.Add(baseline);
            if (Runs("reports")) results.AddRange(await ReportsAsync(province, period, baseline));
            if (Runs("close")) results.Add(await ClosePeriodAsync(province, period) with { Baseline = baseline });
        }
        return results;
    }

    /// <summary>The latest month that may be closed at <paramref name="now"/>: its end plus the hub's default grace of 3 days has passed.</summary>
    private static EBakul.Hub.Domain.Period ClosablePeriod(DateTimeOffset now)
    {
        var period = EBakul.Hub.Domain.Period.Containing(now).Previous;
        return now >= period.End + new EBakul.Hub.Domain.Payroll.PayrollOptions().CloseGracePeriod ? period : period.Previous;
    }

    private async Task<HubProcess> StartAsync(string what, params string[] settings)
    {
        log.WriteLine($"starting {what} ...");
        var started = Stopwatch.StartNew();
        var hub = await HubProcess.StartAsync(options.HubDll, settings.Concat(options.HubSettings.Select(s => "--" + s)), StartupTimeout);
        log.WriteLine($"  serving after {started.Elapsed.TotalSeconds:0.0} s (pid {hub.ProcessId})");
        return hub;
    }

    private async Task<ScenarioResult> BaselineAsync(HubProcess hub, string name)
    {
        var client = new Health.HealthClient(hub.Channel);
        var request = new HealthCheckRequest();
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration,
            async _ => await client.CheckAsync(request), usage.Start);
        return usage.Stop(new ScenarioResult(name, count, "calls", elapsed, latencies, hub.Usage.PeakMemoryBytes()));
    }

    private async Task<Actors> ActorsAsync(HubProcess hub)
    {
        var roster = new RosterService.RosterServiceClient(hub.Channel);
        var merchants = new MerchantService.MerchantServiceClient(hub.Channel);
        var employees = new List<Employee>();
        var token = "";
        do
        {
            var page = await roster.ListEmployeesAsync(new ListEmployeesRequest { RegencyCode = Regency, Status = EmployeeStatus.Active, PageSize = 1000, PageToken = token });
            employees.AddRange(page.Employees);
            token = page.NextPageToken;
        } while (token.Length > 0);
        var ids = new List<string>();
        do
        {
            var page = await merchants.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = Regency, Status = MerchantStatus.Active, PageSize = 1000, PageToken = token });
            ids.AddRange(page.Merchants.Select(m => m.MerchantId));
            token = page.NextPageToken;
        } while (token.Length > 0);
        log.WriteLine($"  {employees.Count:N0} active employees, {ids.Count:N0} active merchants");
        return new Actors(Regency, employees.Select(e => e.Nip).ToArray(), employees.Select(e => e.OfficeCode).ToArray(), ids.ToArray());
    }

    private async Task<ScenarioResult> RecordSingleAsync(HubProcess hub, Actors actors)
    {
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var runId = Guid.NewGuid().ToString("N")[..8];
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration, async n =>
            await client.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = $"{runId}-{n}", RegencyCode = Regency, Purchase = actors.Draft(n) }),
            usage.Start);
        return usage.Stop(new ScenarioResult($"RecordPurchase, {options.InFlight} in flight, durable", count, "purchases", elapsed, latencies, hub.Usage.PeakMemoryBytes()));
    }

    /// <summary>
    /// The same RecordPurchase as <see cref="RecordSingleAsync"/>, as a PHP or JavaScript system sends it: JSON over
    /// HTTP/1.1 to the hub's HTTP endpoint (transcoded), one connection per call in flight.
    /// </summary>
    private async Task<ScenarioResult> RecordSingleJsonAsync(HubProcess hub, Actors actors)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration, async n =>
        {
            var draft = actors.Draft(n);
            draft.ReceiptReference = $"BENCH-JSON-{runId}-{n}"; // not a receipt the gRPC scenario recorded
            var body = Google.Protobuf.JsonFormatter.Default.Format(new RecordPurchaseRequest { RequestId = $"{runId}-j{n}", Purchase = draft });
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await hub.Json.PostAsync($"/v1/regencies/{Regency}/purchases", content);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"JSON RecordPurchase answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }, usage.Start);
        return usage.Stop(new ScenarioResult($"RecordPurchase as JSON over HTTP/1.1, {options.InFlight} in flight, durable", count, "purchases", elapsed, latencies, hub.Usage.PeakMemoryBytes()));
    }

    private async Task<ScenarioResult> RecordBatchesAsync(HubProcess hub, Actors actors)
    {
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var inFlight = options.BatchesInFlight;
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        var (count, elapsed, latencies) = await LoadRun.RunAsync(inFlight, options.WarmUp, options.Duration, async n =>
        {
            var request = new RecordPurchasesRequest { RequestId = $"{runId}-b{n}", RegencyCode = Regency };
            for (var i = 0; i < options.BatchSize; i++) request.Purchases.Add(actors.Draft(1_000_000_000 + n * options.BatchSize + i));
            var response = await client.RecordPurchasesAsync(request);
            if (response.Results.Any(r => r.Outcome != RecordOutcome.Recorded))
                throw new InvalidOperationException($"batch item rejected: {response.Results.First(r => r.Outcome != RecordOutcome.Recorded)}");
        }, usage.Start);
        return usage.Stop(new ScenarioResult($"RecordPurchases, batches of {options.BatchSize}, {inFlight} in flight", count * options.BatchSize, "purchases",
            elapsed, latencies, hub.Usage.PeakMemoryBytes()));
    }

    private async Task<ScenarioResult> ImportMerchantsAsync(HubProcess hub)
    {
        // The requests are built before the clock starts: the figure is the hub's, not the generator's.
        const int chunkSize = 2_000;
        var generator = new DemoDataGenerator(new DemoDataOptions { Merchants = options.ImportMerchants, Employees = 0, Seed = 3522 }, DateTimeOffset.UtcNow);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var requests = generator.Merchants().Chunk(chunkSize).Select((rows, chunk) =>
        {
            var request = new ImportMerchantsRequest { RequestId = $"{runId}-import-{chunk}", RegencyCode = Regency };
            request.Merchants.AddRange(rows.Select(m => new MerchantDraft
            {
                Name = m.Name, OwnerName = m.OwnerName, OwnerNik = m.OwnerNik, Nib = m.Nib ?? "",
                Category = (MerchantCategory)(int)m.Category, Scale = (MerchantScale)(int)m.Scale, KecamatanCode = m.KecamatanCode,
                Address = m.Address, Location = new GeoPoint { Latitude = m.Latitude, Longitude = m.Longitude }, QrisNmid = m.QrisNmid ?? "",
            }));
            return request;
        }).ToList();

        var client = new MerchantService.MerchantServiceClient(hub.Channel);
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        usage.Start();
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
        foreach (var request in requests) await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        await reader;
        started.Stop();
        return usage.Stop(new ScenarioResult($"ImportMerchants stream, chunks of {chunkSize}", accepted, "merchants", started.Elapsed, [], hub.Usage.PeakMemoryBytes()));
    }

    private async Task<ScenarioResult> SyncEmployeesAsync(HubProcess hub)
    {
        const int chunkSize = 5_000;
        var generator = new DemoDataGenerator(new DemoDataOptions { Merchants = 0, Employees = options.SyncEmployees, Seed = 3523 }, DateTimeOffset.UtcNow);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var requests = generator.Employees().Chunk(chunkSize).Select((rows, chunk) =>
        {
            var request = new SyncEmployeesRequest { RequestId = $"{runId}-sync-{chunk}", RegencyCode = Regency };
            request.Employees.AddRange(rows.Select(e => new Employee
            {
                Nip = e.Nip, Name = e.Name, OfficeCode = e.Office.Code, OfficeName = e.Office.Name, KelasJabatan = e.KelasJabatan,
                EmploymentType = (EmploymentType)(int)e.EmploymentType, Echelon = (Echelon)(int)e.Echelon, TppCeilingRupiah = e.TppCeilingRupiah,
                Status = (EmployeeStatus)(int)e.Current.Status,
                StatusEffectiveDate = new Google.Type.Date { Year = e.Current.EffectiveDate.Year, Month = e.Current.EffectiveDate.Month, Day = e.Current.EffectiveDate.Day },
            }));
            return request;
        }).ToList();

        var client = new RosterService.RosterServiceClient(hub.Channel);
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        usage.Start();
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
        foreach (var request in requests) await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        await reader;
        started.Stop();
        return usage.Stop(new ScenarioResult($"SyncEmployees stream, chunks of {chunkSize}", stored, "employees", started.Elapsed, [], hub.Usage.PeakMemoryBytes()));
    }

    /// <summary>
    /// Each report of the loaded month, asked one after the other <see cref="ReportRepeats"/> times (the first on a cold
    /// page cache for that report's reads), each call timed: the month's spending report, the spending report of its
    /// largest office (as that office's own system asks it), its compliance report, a 12-month trend ending with it (the
    /// demo data holds that one month; the 11 others are empty) and a CSV export.
    /// </summary>
    private async Task<List<ScenarioResult>> ReportsAsync(HubProcess hub, EBakul.Hub.Domain.Period loaded, ScenarioResult baseline)
    {
        var client = new EBakul.Reports.V1.ReportService.ReportServiceClient(hub.Channel);
        var period = loaded.ToString();
        // The office with the most buyers, from the regency's report (asked first): the largest office-bound report.
        var largestOffice = "";
        var reports = new (string Name, Func<Task> Call)[]
        {
            ($"GetSpendingReport {period}", async () =>
            {
                var report = (await client.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = period })).Report;
                largestOffice = report.ByOffice.OrderByDescending(o => o.BuyerCount).Select(o => o.Key).FirstOrDefault() ?? "";
            }),
            ($"GetSpendingReport {period}, the largest office", () =>
                client.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = period, OfficeCode = largestOffice }).ResponseAsync),
            ($"GetComplianceReport {period}", () => client.GetComplianceReportAsync(new() { RegencyCode = Regency, Period = period }).ResponseAsync),
            ($"GetSpendingTrend 12 months to {period}", () => client.GetSpendingTrendAsync(new() { RegencyCode = Regency, EndPeriod = period, Months = 12 }).ResponseAsync),
            ($"ExportReport spending-by-kecamatan {period}", async () =>
            {
                using var call = client.ExportReport(new() { RegencyCode = Regency, Period = period, Report = EBakul.Reports.V1.ReportKind.SpendingByKecamatan });
                while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
            }),
        };
        var results = new List<ScenarioResult>();
        foreach (var (name, call) in reports)
        {
            hub.Usage.ResetPeakMemory();
            var usage = new UsageMeter(hub.Usage);
            usage.Start();
            var latencies = new double[ReportRepeats];
            var all = Stopwatch.StartNew();
            for (var i = 0; i < ReportRepeats; i++)
            {
                var one = Stopwatch.StartNew();
                await call();
                latencies[i] = one.Elapsed.TotalMilliseconds;
            }
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {string.Join(", ", latencies.Select(l => $"{l:N0} ms"))}"));
            results.Add(usage.Stop(new ScenarioResult(name, ReportRepeats, "reports", all.Elapsed, latencies, hub.Usage.PeakMemoryBytes())) with { Baseline = baseline });
        }
        return results;
    }

    private int ReportRepeats => options.Smoke ? 1 : 3;

    private async Task<ScenarioResult> ClosePeriodAsync(HubProcess hub, EBakul.Hub.Domain.Period closed)
    {
        var client = new PayrollService.PayrollServiceClient(hub.Channel);
        var period = closed.ToString();
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter(hub.Usage);
        usage.Start();
        var started = Stopwatch.StartNew();
        var response = await client.ClosePeriodAsync(new ClosePeriodRequest { RequestId = $"close-{period}", RegencyCode = Regency, Period = period });
        started.Stop();
        log.WriteLine($"  closed {period}: {response.Period.Totals.Employees:N0} employees, {response.AdjustmentsCreated:N0} adjustments");
        return usage.Stop(new ScenarioResult($"ClosePeriod {period}: evaluate + freeze + adjustments", response.Period.Totals.Employees, "employees",
            started.Elapsed, [], hub.Usage.PeakMemoryBytes()));
    }
}

/// <summary>A process's CPU time and bytes written over a measured window.</summary>
internal sealed class UsageMeter(ProcessUsage process)
{
    private (TimeSpan Total, TimeSpan Writer) _start;
    private long _startBytes;

    /// <summary>Starts the window.</summary>
    public void Start()
    {
        _start = process.CpuTime();
        _startBytes = process.BytesWritten();
    }

    /// <summary>Ends the window and puts its figures into <paramref name="result"/>.</summary>
    public ScenarioResult Stop(ScenarioResult result)
    {
        var end = process.CpuTime();
        var endBytes = process.BytesWritten();
        return result with
        {
            HubCpu = end.Total - _start.Total, WriterCpu = end.Writer - _start.Writer,
            BytesWritten = endBytes - _startBytes,
        };
    }
}
