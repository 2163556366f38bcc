using System.Net;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Reports.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// Who reads which report: the <c>reports.read</c> scope, an office system limited to its own office, a provincial
/// platform across the regencies it is admitted to; request checks; the CSV export as a gRPC stream and as a plain
/// HTTP download, with the same records and the same refusals.
/// </summary>
public sealed class ReportAccessTests : IDisposable
{
    private const string September = "2025-09";
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly ReportArrange _arrange;

    public ReportAccessTests()
    {
        _hub.Settings["Reports:MinimumGroupSize"] = "1";
        _arrange = new ReportArrange(_hub);
    }

    public void Dispose() => _hub.Dispose();

    private string Token(string id, CallerKind kind, string scopes, string regencies = Regency, string? office = null) =>
        _hub.IssueToken(new Caller
        {
            Id = id, DisplayName = id, Kind = kind, Scopes = scopes, Regencies = regencies, OfficeCode = office, RateLimitPerSecond = 10_000,
        });

    private ReportService.ReportServiceClient ClientFor(string token) => new(_hub.ChannelFor(token));

    private async Task ArrangeAsync()
    {
        var merchant = await _arrange.MerchantAsync("35.22.15");
        var other = await _arrange.MerchantAsync("35.22.01", EBakul.Merchants.V1.MerchantCategory.Craft);
        for (var i = 0; i < 3; i++)
        {
            await _arrange.Quota.PurchaseAsync(await _arrange.Quota.EmployeeAsync(office: Health), merchant, 30_000 + i, Wib(2025, 9, 3));
            await _arrange.Quota.PurchaseAsync(await _arrange.Quota.EmployeeAsync(office: Education), other, 20_000 + i, Wib(2025, 9, 4));
        }
    }

    [Fact]
    public async Task Reports_need_the_reports_read_scope()
    {
        var client = ClientFor(Token("quota-reader", CallerKind.Admin, Scopes.QuotaRead));
        var status = await RpcAssert.Expect(StatusCode.PermissionDenied,
            () => client.GetSpendingReportAsync(new GetSpendingReportRequest { RegencyCode = Regency, Period = September }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", status.Reason());
    }

    [Fact]
    public async Task An_office_system_sees_only_its_own_office()
    {
        await ArrangeAsync();
        var office = ClientFor(Token("dinkes", CallerKind.OfficeSystem, Scopes.ReportsRead, office: Health));

        var own = (await office.GetSpendingReportAsync(new GetSpendingReportRequest { RegencyCode = Regency, Period = September })).Report;
        Assert.Equal(Health, own.OfficeCode);
        Assert.Equal(await _arrange.ReportAsync(September, Health, top: 10), own);
        Assert.Equal([Health], own.ByOffice.Select(g => g.Key));

        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GetSpendingReportAsync(new GetSpendingReportRequest
        {
            RegencyCode = Regency, Period = September, OfficeCode = Education,
        }).ResponseAsync);
        Assert.Equal("OUTSIDE_CALLER_OFFICE", denied.Reason());

        var compliance = (await office.GetComplianceReportAsync(new GetComplianceReportRequest { RegencyCode = Regency, Period = September })).Report;
        Assert.Equal((Health, 3), (compliance.OfficeCode, compliance.Total.EmployeeCount));
        Assert.Equal([Health], compliance.Offices.Select(o => o.OfficeCode));

        var trend = await office.GetSpendingTrendAsync(new GetSpendingTrendRequest { RegencyCode = Regency, EndPeriod = September, Months = 2 });
        Assert.Equal((Health, own.SpentRupiah), (trend.OfficeCode, trend.Months[^1].SpentRupiah));

        var batch = await office.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest { Period = September });
        Assert.Equal([own], batch.Reports);

        var lines = await ExportAsync(office, new ExportReportRequest { RegencyCode = Regency, Period = September, Report = ReportKind.SpendingByOffice });
        Assert.Equal(2, lines.Count);
        Assert.StartsWith($"{September},{Health},", lines[1]);
    }

    [Fact]
    public async Task A_provincial_platform_reads_each_regency_it_is_admitted_to()
    {
        await ArrangeAsync();
        await _arrange.Quota.SetPolicyAsync(Quota.QuotaArrange.Draft("2025-09"), HubFactory.OtherRegencyCode);
        var province = ClientFor(Token("jatim", CallerKind.ProvincialPlatform, Scopes.ReportsRead, $"{Regency} {HubFactory.OtherRegencyCode}"));

        var all = await province.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest { Period = September });
        Assert.Equal([Regency, HubFactory.OtherRegencyCode], all.Reports.Select(r => r.RegencyCode));
        Assert.Equal(await _arrange.ReportAsync(September, top: 10), all.Reports[0]);
        Assert.Equal(0, all.Reports[1].SpentRupiah);

        var named = await province.BatchGetComplianceReportsAsync(new BatchGetComplianceReportsRequest { Period = September, RegencyCodes = { HubFactory.OtherRegencyCode, Regency } });
        Assert.Equal([HubFactory.OtherRegencyCode, Regency], named.Reports.Select(r => r.RegencyCode));
        Assert.Equal(6, named.Reports[1].Total.EmployeeCount);

        // A regency caller gets its own only, and may not name another.
        var regencyCaller = ClientFor(Token("bojonegoro", CallerKind.RegencySystem, Scopes.ReportsRead));
        Assert.Equal([Regency], (await regencyCaller.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest { Period = September })).Reports.Select(r => r.RegencyCode));
        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => regencyCaller.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest
        {
            Period = September, RegencyCodes = { Regency, HubFactory.OtherRegencyCode },
        }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_ALLOWED", denied.Reason());
    }

    [Fact]
    public async Task Bad_requests_name_every_field_and_unknown_offices_are_not_found()
    {
        var invalid = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _arrange.Reports.GetSpendingTrendAsync(new GetSpendingTrendRequest
        {
            RegencyCode = Regency, EndPeriod = "2025-13", Months = 25,
        }).ResponseAsync);
        Assert.Equal(["end_period", "months"], invalid.Fields().Order());
        var export = await RpcAssert.Expect(StatusCode.InvalidArgument,
            () => ExportAsync(_arrange.Reports, new ExportReportRequest { RegencyCode = Regency, Period = September, TopMerchantCount = 101 }));
        Assert.Equal(["report", "top_merchant_count"], export.Fields().Order());
        var duplicate = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _arrange.Reports.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest
        {
            Period = September, RegencyCodes = { Regency, Regency },
        }).ResponseAsync);
        Assert.Equal(["regency_codes[1]"], duplicate.Fields());
        var office = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.Reports.GetComplianceReportAsync(new GetComplianceReportRequest
        {
            RegencyCode = Regency, Period = September, OfficeCode = "9.99.99",
        }).ResponseAsync);
        Assert.Equal("OFFICE_NOT_FOUND", office.Reason());
    }

    [Fact]
    public async Task The_csv_download_equals_the_export_stream_and_is_refused_alike()
    {
        await ArrangeAsync();
        var token = Token("dindagkop", CallerKind.Admin, Scopes.ReportsRead);
        using var http = _hub.CreateClient();

        foreach (var kind in Enum.GetValues<ReportKind>().Where(k => k != ReportKind.Unspecified))
        {
            var streamed = await ExportAsync(ClientFor(token), new ExportReportRequest { RegencyCode = Regency, Period = September, Report = kind, Months = 2 });
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/regencies/{Regency}/reports/{FileName(kind)}.csv?period={September}&months=2");
            request.Headers.Add("Authorization", $"Bearer {token}");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(string.Concat(streamed.Select(l => l + "\r\n")), body);
            Assert.True(streamed.Count >= 2, $"{kind}: {body}");
        }

        var report = await _arrange.ReportAsync(September, top: 10);
        var category = await ExportAsync(ClientFor(token), new ExportReportRequest { RegencyCode = Regency, Period = September, Report = ReportKind.SpendingByCategory });
        Assert.Equal("period,key,display_name,spent_rupiah,purchase_count,buyer_count,merchant_count,share_basis_points,folded_group_count", category[0]);
        var food = report.ByCategory.Single(g => g.Key == "MERCHANT_CATEGORY_FOOD_AND_DRINK");
        Assert.Contains($"{September},MERCHANT_CATEGORY_FOOD_AND_DRINK,Makanan dan minuman,{food.SpentRupiah},{food.PurchaseCount},{food.BuyerCount},{food.MerchantCount},{food.ShareBasisPoints},0", category);

        Assert.Equal((HttpStatusCode.Unauthorized, "CREDENTIALS_MISSING"), await DownloadStatusAsync(http, null, $"/v1/regencies/{Regency}/reports/spending-by-category.csv?period={September}"));
        Assert.Equal((HttpStatusCode.Forbidden, "SCOPE_MISSING"),
            await DownloadStatusAsync(http, Token("no-reports", CallerKind.Admin, Scopes.QuotaRead), $"/v1/regencies/{Regency}/reports/spending-by-category.csv?period={September}"));
        Assert.Equal((HttpStatusCode.Forbidden, "REGENCY_NOT_ALLOWED"),
            await DownloadStatusAsync(http, token, $"/v1/regencies/{HubFactory.OtherRegencyCode}/reports/spending-by-category.csv?period={September}"));
        Assert.Equal((HttpStatusCode.BadRequest, "REPORT_UNKNOWN"),
            await DownloadStatusAsync(http, token, $"/v1/regencies/{Regency}/reports/spending-by-mood.csv?period={September}"));
        Assert.Equal((HttpStatusCode.BadRequest, "PERIOD_INVALID"),
            await DownloadStatusAsync(http, token, $"/v1/regencies/{Regency}/reports/spending-by-category.csv?period=2025"));
    }

    private static string FileName(ReportKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static async Task<(HttpStatusCode, string?)> DownloadStatusAsync(HttpClient http, string? token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Add("Authorization", $"Bearer {token}");
        using var response = await http.SendAsync(request);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var reason = status.GetProperty("details").EnumerateArray()
            .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
            .Select(d => d.GetProperty("reason").GetString()).SingleOrDefault();
        return (response.StatusCode, reason);
    }

    private static async Task<List<string>> ExportAsync(ReportService.ReportServiceClient client, ExportReportRequest request)
    {
        using var call = client.ExportReport(request);
        var lines = new List<string>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) lines.Add(call.ResponseStream.Current.Line);
        return lines;
    }
}
