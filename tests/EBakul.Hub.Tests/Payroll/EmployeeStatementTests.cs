using System.Net;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// An employee's statement explains every rupiah of the month: the requirement, every purchase with what counted and
/// why, the caps, the shortfall, the correction and every revision of the adjustment; printed, the same in Indonesian.
/// </summary>
public sealed class EmployeeStatementTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public EmployeeStatementTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private QuotaArrange Quota => _arrange.Quota;

    private Task<EmployeeStatement> StatementAsync(string nip, string period, GrpcChannel? channel = null) =>
        GetAsync(new PayrollService.PayrollServiceClient(channel ?? _hub.Channel), nip, period);

    private static async Task<EmployeeStatement> GetAsync(PayrollService.PayrollServiceClient client, string nip, string period) =>
        (await client.GetEmployeeStatementAsync(new GetEmployeeStatementRequest { RegencyCode = Regency, Nip = nip, Period = period })).Statement;

    [Fact]
    public async Task A_closed_month_statement_adds_up_to_the_adjustment()
    {
        // Capped owes 500,000 with a merchant cap of 250,000: 400,000 at A counts 250,000, 100,000 at B counts in full.
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);

        var statement = await StatementAsync(p.Capped, September);

        Assert.Equal((Regency, p.Capped, Education, September, PeriodStatus.Closed),
            (statement.RegencyCode, statement.Nip, statement.OfficeCode, statement.Period, statement.PeriodStatus));
        Assert.Equal(statement.Policy.Version, statement.Evaluation.PolicyVersion);
        Assert.Contains("10%", statement.PolicyRule);
        Assert.Equal((500_000L, 350_000L, 150_000L, 250_000L),
            (statement.Evaluation.RequiredRupiah, statement.Evaluation.CountedRupiah, statement.Evaluation.RemainingRupiah, statement.Evaluation.MerchantCapRupiah));
        Assert.Collection(statement.Purchases,
            atA => Assert.Equal((p.MerchantA, 400_000L, 250_000L, UncountedReason.OverMerchantCap),
                (atA.MerchantId, atA.AmountRupiah, atA.CountedRupiah, atA.Reason)),
            atB => Assert.Equal((p.MerchantB, 100_000L, 100_000L, UncountedReason.Unspecified, ""),
                (atB.MerchantId, atB.AmountRupiah, atB.CountedRupiah, atB.Reason, atB.Explanation)));
        Assert.Equal(statement.Evaluation.CountedRupiah, statement.Purchases.Sum(x => x.CountedRupiah));
        Assert.Equal(statement.Evaluation.CountedRupiah, statement.Merchants.Sum(m => m.CountedRupiah));
        Assert.Equal(150_000, statement.Merchants.Single(m => m.MerchantId == p.MerchantA).CappedRupiah);

        var adjustment = Assert.Single(statement.Adjustments);
        Assert.Equal((1, 500_000L, 350_000L, 150_000L, 150_000L, ""),
            (adjustment.Revision, adjustment.RequiredRupiah, adjustment.CountedRupiah, adjustment.ShortfallRupiah, adjustment.TppCorrectionRupiah,
             adjustment.SupersededByKey));
        Assert.Equal(statement.Evaluation.RemainingRupiah, adjustment.ShortfallRupiah);
    }

    [Fact]
    public async Task A_corrected_month_shows_every_revision_and_the_one_in_force()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.OpenCorrectionAsync(September);
        // A nota of 25 September reaches the hub late: Short now counts 150,000 of 300,000.
        await Quota.PurchaseAsync(p.Short, p.MerchantB, 50_000, Wib(2025, 9, 25));
        await _arrange.CloseAsync(September);

        var statement = await StatementAsync(p.Short, September);

        Assert.Equal(2, statement.Purchases.Count);
        Assert.Collection(statement.Adjustments,
            first => Assert.Equal((1, 200_000L, Key(p.Short, September, 2)), (first.Revision, first.TppCorrectionRupiah, first.SupersededByKey)),
            second => Assert.Equal((2, 150_000L, ""), (second.Revision, second.TppCorrectionRupiah, second.SupersededByKey)));

        var document = await PrintAsync(p.Short, September);
        Assert.Contains("1 (diganti)", document);
        Assert.Contains("2 (berlaku)", document);
        Assert.Contains("Rp150.000 (revisi 2", document);
    }

    [Fact]
    public async Task An_open_month_statement_says_what_did_not_count_and_what_the_close_would_take()
    {
        var counted = await Quota.MerchantAsync();
        var small = await Quota.MerchantAsync(scale: 3); // small businesses do not count under the default policy
        var nip = await Quota.EmployeeAsync(tppCeiling: 3_000_000);
        await Quota.PurchaseAsync(nip, counted, 120_000, Wib(2025, 10, 2));
        var voided = await Quota.PurchaseAsync(nip, counted, 80_000, Wib(2025, 10, 3));
        await Quota.VoidAsync(voided.PurchaseId);
        await Quota.PurchaseAsync(nip, small, 60_000, Wib(2025, 10, 4));

        var statement = await StatementAsync(nip, October);

        Assert.Equal(PeriodStatus.Open, statement.PeriodStatus);
        Assert.Empty(statement.Adjustments);
        Assert.Equal([UncountedReason.Unspecified, UncountedReason.Voided, UncountedReason.ScaleExcluded],
            statement.Purchases.Select(x => x.Reason));
        Assert.Equal((300_000L, 120_000L, 180_000L),
            (statement.Evaluation.RequiredRupiah, statement.Evaluation.CountedRupiah, statement.Evaluation.ProjectedCorrectionRupiah));

        var document = await PrintAsync(nip, October);
        Assert.Contains("<html lang=\"id\">", document);
        Assert.Contains("Oktober 2025", document);
        Assert.Contains("dibatalkan, tidak dihitung", document);
        Assert.Contains("skala usaha tidak dihitung", document);
        Assert.Contains("Rp180.000 bila bulan ditutup", document);
        Assert.Contains("belum ditutup", document);
        Assert.Contains("Rp120.000", document);
    }

    [Fact]
    public async Task The_printed_statement_is_an_html_document_over_grpc_and_json()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);

        var body = await new PayrollService.PayrollServiceClient(_hub.Channel).PrintEmployeeStatementAsync(
            new PrintEmployeeStatementRequest { RegencyCode = Regency, Nip = p.Capped, Period = September });
        var document = await PrintAsync(p.Capped, September);

        Assert.Equal("text/html; charset=utf-8", body.ContentType);
        Assert.Equal(document, body.Data.ToStringUtf8());
        Assert.Contains("Pernyataan Kewajiban Belanja e-Bakul", document);
        Assert.Contains("September 2025 (ditutup)", document);
        Assert.Contains("melewati batas per usaha (Rp250.000); Rp250.000 dihitung", document);
        Assert.Contains("Rp500.000", document);
        Assert.Contains("Rp150.000 (revisi 1, menunggu dikirim)", document);
        Assert.Contains("@media print", document);
        Assert.DoesNotContain("<script", document);
    }

    [Fact]
    public async Task An_office_reads_only_its_own_employees_statements_and_bad_requests_are_refused()
    {
        var p = await _arrange.SeptemberAsync();
        var health = _hub.ChannelFor(_hub.IssueToken(new Caller
        {
            Id = "opd-health", DisplayName = "Dinas Kesehatan", Kind = CallerKind.OfficeSystem, Regencies = Regency, OfficeCode = Health,
            Scopes = Scopes.QuotaRead, RateLimitPerSecond = 10_000,
        }));
        var healthClient = new PayrollService.PayrollServiceClient(health);

        Assert.Equal(p.Short, (await GetAsync(healthClient, p.Short, September)).Nip);
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => GetAsync(healthClient, p.Capped, September));
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => healthClient.PrintEmployeeStatementAsync(
            new PrintEmployeeStatementRequest { RegencyCode = Regency, Nip = p.Capped, Period = September }).ResponseAsync);

        var admin = new PayrollService.PayrollServiceClient(_hub.Channel);
        await RpcAssert.Expect(StatusCode.NotFound, () => GetAsync(admin, NewNip(), September));
        await RpcAssert.ExpectInvalid("period", () => GetAsync(admin, p.Short, "2025-13"));
        await RpcAssert.ExpectInvalid("nip", () => GetAsync(admin, "12", September));
    }

    private async Task<string> PrintAsync(string nip, string period)
    {
        using var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {_hub.IssueToken(new Caller
        {
            Id = $"statement-reader-{Guid.NewGuid():N}", DisplayName = "statement reader", Kind = CallerKind.Admin, Scopes = Scopes.QuotaRead,
            Regencies = Regency, RateLimitPerSecond = 10_000,
        })}");
        using var response = await client.GetAsync($"/v1/regencies/{Regency}/employees/{nip}/statements/{period}:print");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return text;
    }
}
