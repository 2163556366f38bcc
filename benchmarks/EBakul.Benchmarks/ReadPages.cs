using System.Diagnostics;
using System.Globalization;
using EBakul.Audit.V1;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using EBakul.Regions.V1;
using EBakul.Reports.V1;
using EBakul.Roster.V1;
using Grpc.Core;

namespace EBakul.Benchmarks;

/// <summary>
/// The <c>reads</c> scenario: the first page of every List* method (with each of ListPurchases' filters) and every report,
/// on the province hub, each asked again and again one call at a time and each call timed, so that p50 and p99 are per
/// method. A page's cost must follow the page, not the ledger (goal: p99 under 100 ms per page at province scale).
/// </summary>
internal static class ReadPages
{
    private const string Regency = "35.22";

    /// <summary>Rows per page asked of every List* method (ListPurchases of the month also at 1,000).</summary>
    public const int PageSize = 100;

    /// <summary>Times every read on <paramref name="hub"/>, whose demo month is <paramref name="loaded"/>.</summary>
    public static async Task<List<ScenarioResult>> RunAsync(HubProcess hub, EBakul.Hub.Domain.Period loaded, bool smoke, TextWriter log)
    {
        var channel = hub.Channel;
        var ledger = new LedgerService.LedgerServiceClient(channel);
        var merchants = new MerchantService.MerchantServiceClient(channel);
        var roster = new RosterService.RosterServiceClient(channel);
        var quota = new QuotaService.QuotaServiceClient(channel);
        var payroll = new PayrollService.PayrollServiceClient(channel);
        using var etppChannel = hub.EtppChannel();
        var pull = new PayrollService.PayrollServiceClient(etppChannel);
        var reports = new ReportService.ReportServiceClient(channel);
        var audit = new AuditService.AuditServiceClient(channel);
        var regions = new RegionService.RegionServiceClient(channel);
        var period = loaded.ToString();

        // Who the filtered reads are about: a buyer and a merchant of the month's first purchases, the office with the most buyers.
        var first = (await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, Period = period, PageSize = 1 })).Purchases.FirstOrDefault()
            ?? throw new InvalidOperationException($"the province hub has no purchase in {period}");
        var spending = (await reports.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = period })).Report;
        var office = spending.ByOffice.OrderByDescending(o => o.BuyerCount).Select(o => o.Key).First();
        log.WriteLine($"  reads: buyer {first.EmployeeNip[..4]}…, merchant {first.MerchantId}, office {office}, pages of {PageSize}");

        var reads = new (string Name, Func<Task> Call)[]
        {
            ("ListPurchases", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, PageSize = PageSize }).ResponseAsync),
            ($"ListPurchases {period}", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, Period = period, PageSize = PageSize }).ResponseAsync),
            ($"ListPurchases {period}, 1,000 rows", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, Period = period, PageSize = 1_000 }).ResponseAsync),
            ("ListPurchases of a buyer", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, EmployeeNip = first.EmployeeNip, PageSize = PageSize }).ResponseAsync),
            ("ListPurchases of a merchant", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, MerchantId = first.MerchantId, PageSize = PageSize }).ResponseAsync),
            ("ListPurchases of the largest office", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, OfficeCode = office, PageSize = PageSize }).ResponseAsync),
            ("GetPurchase", () => ledger.GetPurchaseAsync(new() { RegencyCode = Regency, PurchaseId = first.PurchaseId }).ResponseAsync),
            ("ListMerchants", () => merchants.ListMerchantsAsync(new() { RegencyCode = Regency, PageSize = PageSize }).ResponseAsync),
            ("ListEmployees", () => roster.ListEmployeesAsync(new() { RegencyCode = Regency, PageSize = PageSize }).ResponseAsync),
            ("ListEmployees of the largest office", () => roster.ListEmployeesAsync(new() { RegencyCode = Regency, OfficeCode = office, PageSize = PageSize }).ResponseAsync),
            ("ListQuotaPolicies", () => quota.ListQuotaPoliciesAsync(new() { RegencyCode = Regency, PageSize = PageSize }).ResponseAsync),
            ("ListQuotaExemptions", () => quota.ListQuotaExemptionsAsync(new() { RegencyCode = Regency, Period = period, PageSize = PageSize }).ResponseAsync),
            ("ListAdjustments", () => pull.ListAdjustmentsAsync(new() { RegencyCode = Regency, Period = period, PageSize = PageSize }).ResponseAsync),
            ("ListAdjustmentDeliveries", () => payroll.ListAdjustmentDeliveriesAsync(new() { RegencyCode = Regency, Period = period, PageSize = PageSize }).ResponseAsync),
            ("ListDisputes", () => payroll.ListDisputesAsync(new() { RegencyCode = Regency, Period = period, PageSize = PageSize }).ResponseAsync),
            ("ListAuditEvents", () => audit.ListAuditEventsAsync(new() { RegencyCode = Regency, PageSize = PageSize }).ResponseAsync),
            ("ListRegencies", () => regions.ListRegenciesAsync(new()).ResponseAsync),
            ("ListKecamatan", () => regions.ListKecamatanAsync(new() { RegencyCode = Regency }).ResponseAsync),
            ($"GetSpendingReport {period}", () => reports.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = period }).ResponseAsync),
            ($"GetSpendingReport {period}, the largest office", () => reports.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = period, OfficeCode = office }).ResponseAsync),
            ($"GetSpendingTrend 12 months to {period}", () => reports.GetSpendingTrendAsync(new() { RegencyCode = Regency, EndPeriod = period, Months = 12 }).ResponseAsync),
            ($"GetComplianceReport {period}", () => reports.GetComplianceReportAsync(new() { RegencyCode = Regency, Period = period }).ResponseAsync),
            ($"GetComplianceReport {period}, the largest office", () => reports.GetComplianceReportAsync(new() { RegencyCode = Regency, Period = period, OfficeCode = office }).ResponseAsync),
            ($"BatchGetSpendingReports {period}", () => reports.BatchGetSpendingReportsAsync(new() { RegencyCodes = { Regency }, Period = period }).ResponseAsync),
            ($"BatchGetComplianceReports {period}", () => reports.BatchGetComplianceReportsAsync(new() { RegencyCodes = { Regency }, Period = period }).ResponseAsync),
            ($"ExportReport spending-by-office {period}", async () =>
            {
                using var call = reports.ExportReport(new() { RegencyCode = Regency, Period = period, Report = ReportKind.SpendingByOffice });
                while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
            }),
        };

        // Each read at most this many times or this long, whichever comes first (after one call not measured).
        var (repeats, budget) = smoke ? (3, TimeSpan.FromSeconds(1)) : (100, TimeSpan.FromSeconds(5));
        var results = new List<ScenarioResult>();
        foreach (var (name, call) in reads)
        {
            await call();
            hub.Usage.ResetPeakMemory();
            var usage = new UsageMeter(hub.Usage);
            usage.Start();
            var latencies = new List<double>(repeats);
            var all = Stopwatch.StartNew();
            while (latencies.Count < repeats && (latencies.Count < 5 || all.Elapsed < budget))
            {
                var one = Stopwatch.StartNew();
                await call();
                latencies.Add(one.Elapsed.TotalMilliseconds);
            }
            all.Stop();
            var sorted = latencies.Order().ToList();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: {latencies.Count} calls, p50 {sorted[sorted.Count / 2]:0.0} ms, max {sorted[^1]:0.0} ms"));
            results.Add(usage.Stop(new ScenarioResult($"first page: {name}", latencies.Count, "calls", all.Elapsed, [.. sorted], hub.Usage.PeakMemoryBytes())));
        }
        return results;
    }
}
