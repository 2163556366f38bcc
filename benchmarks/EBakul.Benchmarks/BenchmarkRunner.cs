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
    /// <summary>
    /// Purchases recorded by the ledger scenarios so far, warm-up included, spread evenly over the buyers; the <c>late</c>
    /// scenario reads it before any PostgreSQL scenario adds to it.
    /// </summary>
    private long _purchasesSent;

    private const string Regency = "35.22";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Runs the chosen scenarios and returns their figures; a PostgreSQL cluster the run started is stopped, even on failure.</summary>
    public async Task<List<ScenarioResult>> RunAsync()
    {
        try
        {
            return await RunScenariosAsync();
        }
        finally
        {
            if (_postgres is not null) await _postgres.DisposeAsync();
        }
    }

    private async Task<List<ScenarioResult>> RunScenariosAsync()
    {
        var results = new List<ScenarioResult>();
        bool Runs(string scenario) => options.Scenarios.Contains(scenario);
        if (Runs("single") || Runs("json") || Runs("batch") || Runs("late") || Runs("floor") || Runs("import") || Runs("sync"))
        {
            await using var hub = await StartOnAsync(null, null, $"ledger hub ({LedgerHub})", LedgerHubSettings);
            var baseline = await BaselineAsync(hub, "baseline: health check (empty unary call)");
            results.Add(baseline);
            if (Runs("single") || Runs("json") || Runs("batch") || Runs("late") || Runs("floor"))
            {
                var actors = await ActorsAsync(hub);
                if (Runs("single")) results.Add(await RecordSingleAsync([hub], actors, $"RecordPurchase, {options.InFlight} in flight, durable") with { Baseline = baseline });
                if (Runs("json")) results.Add(await RecordSingleJsonAsync(hub, actors) with { Baseline = baseline });
                if (Runs("batch")) results.Add(await RecordBatchesAsync(hub, actors) with { Baseline = baseline });
                if (Runs("late")) results.Add(await RecordLateInTheMonthAsync(hub, actors) with { Baseline = baseline });
                if (Runs("floor"))
                {
                    foreach (var floor in await new StorageFloor(options, log).RunAsync(actors)) results.Add(floor with { Baseline = baseline });
                }
            }
            if (Runs("import")) results.Add(await ImportMerchantsAsync(hub) with { Baseline = baseline });
            if (Runs("sync")) results.Add(await SyncEmployeesAsync(hub) with { Baseline = baseline });
        }
        if (Runs("pg-single") || Runs("pg-replicas")) results.AddRange(await PostgresLedgerAsync(Runs));
        if (Runs("close") || Runs("reports") || Runs("reads")) results.AddRange(await ProvinceAsync(null, Runs("reports"), Runs("close"), Runs("reads")));
        if (Runs("pg-reports") || Runs("pg-close") || Runs("pg-reads"))
            results.AddRange(await ProvinceAsync(await PostgresAsync(), Runs("pg-reports"), Runs("pg-close"), Runs("pg-reads")));
        return results;
    }

    /// <summary>
    /// The province hub (a month of demo data at province scale) on SQLite, or on <paramref name="server"/>: loaded,
    /// restarted on its database, then its reports timed, its month closed, and the first page of every read timed (after
    /// the close, so that the adjustments' lists have the month's rows; without it they read an empty month).
    /// </summary>
    private async Task<List<ScenarioResult>> ProvinceAsync(PostgresServer? server, bool reports, bool close, bool reads)
    {
        var results = new List<ScenarioResult>();
        var store = server is null ? "" : " on PostgreSQL";
        var period = ClosablePeriod(DateTimeOffset.UtcNow);
        var purchases = options.ProvinceEmployees * (long)options.ProvincePurchasesPerEmployee;
        var started = Stopwatch.StartNew();
        var loaded = await StartOnAsync(server is null ? null : await server.CreateDatabaseAsync(), null,
            $"province hub{store} ({options.ProvinceEmployees:N0} employees, about {purchases:N0} purchases in {period}, {options.ProvinceMerchants:N0} merchants)",
            ["--DemoData:Enabled=true", $"--DemoData:Merchants={options.ProvinceMerchants}", $"--DemoData:Employees={options.ProvinceEmployees}",
            $"--DemoData:PurchasesPerEmployee={options.ProvincePurchasesPerEmployee}", $"--DemoData:Period={period}"]);
        log.WriteLine($"  demo data loaded and hub serving after {started.Elapsed.TotalSeconds:0.0} s");
        // The month is closed by a hub process serving the database, as in production, not by the process that has
        // just generated ten million rows (whose memory would count in the close's peak).
        log.WriteLine("restarting the province hub on its database ...");
        await using var province = await loaded.RestartAsync(options.HubDll, options.HubSettings.Select(s => "--" + s), StartupTimeout);
        log.WriteLine($"  serving again (pid {province.ProcessId})");
        var baseline = await BaselineAsync(province, $"baseline: health check (province hub{store})");
        results.Add(baseline);
        if (reports) results.AddRange((await ReportsAsync(province, period, baseline)).Select(r => r with { Name = r.Name + store }));
        if (close) results.Add(await ClosePeriodAsync(province, period, server) with { Baseline = baseline });
        if (reads)
            results.AddRange((await ReadPages.RunAsync(province, period, options.Smoke, log)).Select(r => r with { Name = r.Name + store, Baseline = baseline }));
        return results;
    }

    private string LedgerHub => $"{options.LedgerEmployees:N0} employees, {options.LedgerMerchants:N0} merchants, no purchases";

    /// <summary>The demo data of the hub the purchase scenarios record on: a roster and a registry, no purchases.</summary>
    private string[] LedgerHubSettings =>
        ["--DemoData:Enabled=true", $"--DemoData:Merchants={options.LedgerMerchants}", $"--DemoData:Employees={options.LedgerEmployees}",
        "--DemoData:PurchasesPerEmployee=0"];

    private PostgresServer? _postgres;

    /// <summary>The run's PostgreSQL server, started at its first use (<c>--postgres</c>, or a throwaway cluster).</summary>
    private async Task<PostgresServer> PostgresAsync() => _postgres ??= await PostgresServer.StartAsync(options.Postgres, log);

    /// <summary>
    /// RecordPurchase on PostgreSQL, measured like the SQLite <c>single</c> scenario on a hub with the same demo data: on
    /// one replica, then on two replicas of the same database with the calls spread evenly over both.
    /// </summary>
    private async Task<List<ScenarioResult>> PostgresLedgerAsync(Func<string, bool> runs)
    {
        var results = new List<ScenarioResult>();
        var server = await PostgresAsync();
        var database = await server.CreateDatabaseAsync();
        await using var hub = await StartOnAsync(database, null, $"ledger hub on PostgreSQL ({LedgerHub})", LedgerHubSettings);
        var baseline = await BaselineAsync(hub, "baseline: health check (ledger hub on PostgreSQL)");
        results.Add(baseline);
        var actors = await ActorsAsync(hub);
        if (runs("pg-single"))
            results.Add(await RecordSingleAsync([hub], actors, $"RecordPurchase on PostgreSQL, one replica, {options.InFlight} in flight, durable", server) with { Baseline = baseline });
        if (runs("pg-replicas"))
        {
            await using var second = await StartOnAsync(database, hub.Token, "a second replica on the same database", []);
            results.Add(await RecordSingleAsync([hub, second], actors, $"RecordPurchase on PostgreSQL, two replicas, {options.InFlight} in flight in all, durable", server)
                with { Baseline = baseline });
        }
        return results;
    }

    /// <summary>The latest month that may be closed at <paramref name="now"/>: its end plus the hub's default grace of 3 days has passed.</summary>
    private static EBakul.Hub.Domain.Period ClosablePeriod(DateTimeOffset now)
    {
        var period = EBakul.Hub.Domain.Period.Containing(now).Previous;
        return now >= period.End + new EBakul.Hub.Domain.Payroll.PayrollOptions().CloseGracePeriod ? period : period.Previous;
    }

    /// <summary>
    /// Starts a hub: on a fresh SQLite file, or on the PostgreSQL database <paramref name="postgres"/> (a replica of a hub
    /// already on it is given that hub's <paramref name="token"/>).
    /// </summary>
    private async Task<HubProcess> StartOnAsync(string? postgres, string? token, string what, string[] settings)
    {
        log.WriteLine($"starting {what} ...");
        var started = Stopwatch.StartNew();
        var hub = await HubProcess.StartAsync(options.HubDll, settings.Concat(options.HubSettings.Select(s => "--" + s)), StartupTimeout, postgres, token,
            options.PageBytes);
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

    /// <summary>
    /// RecordPurchase, <see cref="BenchmarkOptions.InFlight"/> calls in flight, durable: on one hub, or spread evenly
    /// over several replicas of one PostgreSQL database (the CPU figures then add up every replica's and the server's).
    /// </summary>
    private async Task<ScenarioResult> RecordSingleAsync(IReadOnlyList<HubProcess> hubs, Actors actors, string name, PostgresServer? server = null)
    {
        var clients = hubs.Select(h => new LedgerService.LedgerServiceClient(h.Channel)).ToArray();
        var runId = Guid.NewGuid().ToString("N")[..8];
        foreach (var hub in hubs) hub.Usage.ResetPeakMemory();
        if (server is not null) await server.CheckpointAsync();
        var usage = new UsageMeter([.. hubs.Select(h => h.Usage)], server?.Usage);
        var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration, async n =>
        {
            var draft = actors.Draft(n);
            draft.ReceiptReference = $"BENCH-{runId}-{n}"; // a receipt no other scenario on the same database recorded
            await clients[n % clients.Length].RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = $"{runId}-{n}", RegencyCode = Regency, Purchase = draft });
            Interlocked.Increment(ref _purchasesSent);
        }, usage.Start);
        if (server is not null) await server.CheckpointAsync();
        return usage.Stop(new ScenarioResult(name, count, "purchases", elapsed, latencies, hubs.Max(h => h.Usage.PeakMemoryBytes())));
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
            Interlocked.Increment(ref _purchasesSent);
        }, usage.Start);
        return usage.Stop(new ScenarioResult($"RecordPurchase as JSON over HTTP/1.1, {options.InFlight} in flight, durable", count, "purchases", elapsed, latencies, hub.Usage.PeakMemoryBytes()));
    }

    /// <summary>
    /// RecordPurchase as <see cref="RecordSingleAsync"/> measures it, late in the month: first the month is filled with
    /// RecordPurchases (not measured) until every buyer has <see cref="BenchmarkOptions.MonthFill"/> purchases in it,
    /// counting those the scenarios before it recorded, so that each purchase is recorded beside as many of its buyer's
    /// as a real month's end holds. What a purchase costs that grows with its buyer's month shows against the
    /// <c>single</c> line of the same run (which starts on empty months).
    /// </summary>
    private async Task<ScenarioResult> RecordLateInTheMonthAsync(HubProcess hub, Actors actors)
    {
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var purchases = Math.Max(0, (long)options.MonthFill * actors.Nips.Length - Interlocked.Read(ref _purchasesSent));
        var batches = (purchases + options.BatchSize - 1) / options.BatchSize;
        log.WriteLine($"filling the month to {options.MonthFill} purchases for each of {actors.Nips.Length:N0} buyers: {purchases:N0} more ...");
        var filling = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForAsync(0L, batches, new ParallelOptions { MaxDegreeOfParallelism = options.BatchesInFlight }, async (b, cancellationToken) =>
        {
            var request = new RecordPurchasesRequest { RequestId = $"{runId}-f{b}", RegencyCode = Regency };
            for (var k = b * options.BatchSize; k < Math.Min(purchases, (b + 1) * options.BatchSize); k++)
            {
                // Numbered from a multiple of the buyers, so that each buyer gets the same number of them.
                var draft = actors.Draft(2_000_000_000L / actors.Nips.Length * actors.Nips.Length + k);
                draft.ReceiptReference = $"BENCH-FILL-{runId}-{k}";
                request.Purchases.Add(draft);
            }
            var response = await client.RecordPurchasesAsync(request, cancellationToken: cancellationToken);
            if (response.Results.Any(r => r.Outcome != RecordOutcome.Recorded))
                throw new InvalidOperationException($"month fill rejected: {response.Results.First(r => r.Outcome != RecordOutcome.Recorded)}");
        });
        log.WriteLine($"  filled in {filling.Elapsed.TotalSeconds:F1} s");
        return await RecordSingleAsync([hub], actors,
            $"RecordPurchase late in the month (every buyer {options.MonthFill}+ purchases in it), {options.InFlight} in flight, durable");
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
            Interlocked.Add(ref _purchasesSent, options.BatchSize);
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
            results.Add(usage.Stop(new ScenarioResult(name, ReportRepeats, "reports", all.Elapsed, [.. latencies.Order()], hub.Usage.PeakMemoryBytes())) with { Baseline = baseline });
        }
        return results;
    }

    private int ReportRepeats => options.Smoke ? 1 : 3;

    private async Task<ScenarioResult> ClosePeriodAsync(HubProcess hub, EBakul.Hub.Domain.Period closed, PostgresServer? server = null)
    {
        var client = new PayrollService.PayrollServiceClient(hub.Channel);
        var period = closed.ToString();
        hub.Usage.ResetPeakMemory();
        var usage = new UsageMeter([hub.Usage], server?.Usage);
        usage.Start();
        var started = Stopwatch.StartNew();
        var response = await client.ClosePeriodAsync(new ClosePeriodRequest { RequestId = $"close-{period}", RegencyCode = Regency, Period = period });
        started.Stop();
        log.WriteLine($"  closed {period}: {response.Period.Totals.Employees:N0} employees, {response.AdjustmentsCreated:N0} adjustments");
        var store = server is null ? "" : " (PostgreSQL)";
        return usage.Stop(new ScenarioResult($"ClosePeriod {period}{store}: evaluate + freeze + adjustments", response.Period.Totals.Employees, "employees",
            started.Elapsed, [], hub.Usage.PeakMemoryBytes()));
    }
}

/// <summary>
/// CPU time and bytes written over a measured window: of one hub process, or of several replicas added up, and of the
/// PostgreSQL server's processes when the hubs run on it.
/// </summary>
internal sealed class UsageMeter(IReadOnlyList<ProcessUsage> hubs, DatabaseServerUsage? server = null)
{
    private (TimeSpan Total, TimeSpan Writer) _start;
    private long _startBytes;
    private (TimeSpan Cpu, long BytesWritten) _serverStart;

    /// <summary>The window of one hub process.</summary>
    public UsageMeter(ProcessUsage hub) : this([hub])
    {
    }

    /// <summary>Starts the window.</summary>
    public void Start()
    {
        _start = Cpu();
        _startBytes = hubs.Sum(h => h.BytesWritten());
        _serverStart = server?.Read() ?? default;
    }

    /// <summary>Ends the window and puts its figures into <paramref name="result"/>.</summary>
    public ScenarioResult Stop(ScenarioResult result)
    {
        var end = Cpu();
        var endBytes = hubs.Sum(h => h.BytesWritten());
        var serverEnd = server?.Read() ?? default;
        return result with
        {
            HubCpu = end.Total - _start.Total, WriterCpu = end.Writer - _start.Writer,
            BytesWritten = endBytes - _startBytes,
            DatabaseCpu = serverEnd.Cpu - _serverStart.Cpu, DatabaseBytesWritten = serverEnd.BytesWritten - _serverStart.BytesWritten,
        };
    }

    private (TimeSpan Total, TimeSpan Writer) Cpu()
    {
        var (total, writer) = (TimeSpan.Zero, TimeSpan.Zero);
        foreach (var hub in hubs)
        {
            var (t, w) = hub.CpuTime();
            total += t;
            writer += w;
        }
        return (total, writer);
    }
}
