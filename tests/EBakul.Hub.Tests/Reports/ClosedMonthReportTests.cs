using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Merchants.V1;
using EBakul.Reports.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// The spending reports of a closed month are computed once per close and kept (<see cref="ClosedMonthReports"/>): a
/// kept answer is given again without reading the aggregates, a correction's new close gives the new answer, an office
/// system still gets only its own office, and names are the current ones.
/// </summary>
public sealed class ClosedMonthReportTests : IDisposable
{
    private const string September = "2025-09";
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly ReportArrange _arrange;
    private readonly Dictionary<string, string> _officeInSeptember = [];
    private readonly List<string> _purchases = [];
    private readonly List<string> _nips = [];
    private string[] _merchants = [];

    public ClosedMonthReportTests()
    {
        _hub.Settings["Reports:MinimumGroupSize"] = "1";
        _arrange = new ReportArrange(_hub);
    }

    public void Dispose() => _hub.Dispose();

    private ClosedMonthReports Kept => _hub.Services.GetRequiredService<ClosedMonthReports>();

    /// <summary>Three merchants in two kecamatan; four employees in Health and three in Education buy in September.</summary>
    private async Task ArrangeAsync()
    {
        _merchants =
        [
            await _arrange.MerchantAsync("35.22.15"),
            await _arrange.MerchantAsync("35.22.15", MerchantCategory.Services, MerchantScale.UltraMicro),
            await _arrange.MerchantAsync("35.22.01", MerchantCategory.Craft),
        ];
        for (var i = 0; i < 7; i++)
        {
            var office = i < 4 ? Health : Education;
            var nip = await _arrange.Quota.EmployeeAsync(office: office);
            _nips.Add(nip);
            _officeInSeptember[nip] = office;
            for (var k = 0; k <= i % 3; k++)
                _purchases.Add((await _arrange.Quota.PurchaseAsync(nip, _merchants[(i + k) % 3], 20_000 + 3_000 * i + 1_000 * k, Wib(2025, 9, 2 + i + k)))
                    .PurchaseId);
        }
    }

    /// <summary>Changes the aggregates behind the writer's back (as no write of the hub does): a report read from them would show it.</summary>
    private Task TamperWithTheAggregatesAsync(long addRupiah) =>
        _hub.Services.GetRequiredService<DatabaseWriter>().WriteAsync(tx => tx.Command(
                "UPDATE report_merchant_months SET spent_rupiah = spent_rupiah + @add WHERE regency_code = @regency AND period_key = 202509")
            .Bind("@add", addRupiah).Bind("@regency", Regency).ExecuteNonQuery());

    [Fact]
    public async Task A_closed_month_is_computed_once_per_close_and_a_corrections_close_gives_the_new_answer()
    {
        await ArrangeAsync();
        var open = await _arrange.ReportAsync(September);
        Assert.Equal(0, Kept.Count);

        var payroll = new PayrollArrange(_hub);
        await payroll.CloseAsync(September);
        var closed = await _arrange.ReportAsync(September);
        Assert.Equal(open, closed);
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), closed);
        Assert.True(Kept.Count > 0);

        // The kept answers are given again: the aggregates are not read (changed behind the hub's back, the answers are not).
        var trendRequest = new GetSpendingTrendRequest { RegencyCode = Regency, EndPeriod = September, Months = 2 };
        var trend = await _arrange.Reports.GetSpendingTrendAsync(trendRequest);
        Assert.Equal(closed.SpentRupiah, trend.Months[^1].SpentRupiah);
        await TamperWithTheAggregatesAsync(1_000);
        Assert.Equal(closed, await _arrange.ReportAsync(September));
        Assert.Equal(trend, await _arrange.Reports.GetSpendingTrendAsync(trendRequest));
        Assert.NotEqual(closed.SpentRupiah, (await _arrange.ReportAsync(September, top: 7)).SpentRupiah);
        await TamperWithTheAggregatesAsync(-1_000);

        // A correction reopens the month: its report is computed from the aggregates again, and its new close gives the new answer.
        await payroll.OpenCorrectionAsync(September);
        await _arrange.Quota.VoidAsync(_purchases[0]);
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), await _arrange.ReportAsync(September));
        await _arrange.Quota.PurchaseAsync(_nips[6], _merchants[0], 150_000, Wib(2025, 9, 29, 20));
        await payroll.CloseAsync(September);

        var corrected = await _arrange.ReportAsync(September);
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), corrected);
        Assert.NotEqual(closed.SpentRupiah, corrected.SpentRupiah);
        Assert.Equal(corrected, await _arrange.ReportAsync(September));
    }

    [Fact]
    public async Task An_office_system_gets_only_its_own_office_from_a_closed_month()
    {
        await ArrangeAsync();
        await new PayrollArrange(_hub).CloseAsync(September);
        var regency = await _arrange.ReportAsync(September, top: 10);
        var health = await _arrange.ReportAsync(September, Health, top: 10);

        var token = _hub.IssueToken(new Caller
        {
            Id = "dinkes", DisplayName = "dinkes", Kind = CallerKind.OfficeSystem, Scopes = Scopes.ReportsRead, Regencies = Regency, OfficeCode = Health,
            RateLimitPerSecond = 10_000,
        });
        var office = new ReportService.ReportServiceClient(_hub.ChannelFor(token));
        for (var i = 0; i < 2; i++)
        {
            var own = (await office.GetSpendingReportAsync(new GetSpendingReportRequest { RegencyCode = Regency, Period = September })).Report;
            Assert.Equal(health, own);
            Assert.Equal([Health], own.ByOffice.Select(g => g.Key));
            Assert.NotEqual(regency.SpentRupiah, own.SpentRupiah);
            var batch = await office.BatchGetSpendingReportsAsync(new BatchGetSpendingReportsRequest { RegencyCodes = { Regency }, Period = September });
            Assert.Equal(health, batch.Reports.Single());
        }
        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GetSpendingReportAsync(new GetSpendingReportRequest
        {
            RegencyCode = Regency, Period = September, OfficeCode = Education,
        }).ResponseAsync);
        Assert.Equal("OUTSIDE_CALLER_OFFICE", denied.Reason());
    }

    [Fact]
    public async Task A_kept_report_shows_the_names_as_they_are_now()
    {
        await ArrangeAsync();
        await new PayrollArrange(_hub).CloseAsync(September);
        var before = await _arrange.ReportAsync(September);
        var top = before.TopMerchantsByAmount[0].MerchantId;

        await new MerchantService.MerchantServiceClient(_hub.Channel).UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = top, Merchant = new MerchantDraft { Name = "Warung Baru Namanya" },
            UpdateMask = new FieldMask { Paths = { "name" } },
        });

        var after = await _arrange.ReportAsync(September);
        Assert.Equal("Warung Baru Namanya", after.TopMerchantsByAmount[0].MerchantName);
        Assert.Equal(await _arrange.RecomputeAsync(September, _officeInSeptember), after);
        Assert.Equal(before.SpentRupiah, after.SpentRupiah);
    }

    [Fact]
    public async Task The_background_keeps_a_closed_months_default_report_before_anyone_asks()
    {
        await ArrangeAsync();
        await new PayrollArrange(_hub).CloseAsync(September);
        var expected = await _arrange.RecomputeAsync(September, _officeInSeptember, top: SpendingReports.DefaultTopMerchantCount);
        Assert.Equal(0, Kept.Count);

        // The hub's clock is in October 2025: September is the previous month, kept by every round.
        await _hub.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ComplianceSnapshotKeeper>().Single()
            .KeepAsync(CancellationToken.None);
        Assert.Equal(1, Kept.Count);

        // Asked as a caller asks by default, the report is the kept one: the aggregates are not read.
        await TamperWithTheAggregatesAsync(1_000);
        var report = (await _arrange.Reports.GetSpendingReportAsync(new GetSpendingReportRequest { RegencyCode = Regency, Period = September })).Report;
        await TamperWithTheAggregatesAsync(-1_000);
        Assert.Equal(expected, report);
    }
}
