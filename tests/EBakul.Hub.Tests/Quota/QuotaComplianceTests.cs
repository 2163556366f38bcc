using EBakul.Hub.Tests.Infrastructure;
using EBakul.Quota.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Quota;

/// <summary>Two offices of Bojonegoro in October 2025 under the default policy.</summary>
public sealed class QuotaComplianceTests : IDisposable
{
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public QuotaComplianceTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private QuotaService.QuotaServiceClient Client => _arrange.Quota;

    /// <summary>
    /// Health: one compliant (Rp300,000 of Rp300,000), one short (Rp100,000 of Rp300,000), one on leave all month.
    /// Education: one exempted by the BKD, one with nothing (Rp500,000 owed), one exactly at the floor, and one who left
    /// before October (not part of the month).
    /// </summary>
    private async Task<string[]> ArrangeAsync()
    {
        var a = await _arrange.MerchantAsync();
        var b = await _arrange.MerchantAsync();
        var compliant = await _arrange.EmployeeAsync(tppCeiling: 3_000_000, office: Health);
        var shortOne = await _arrange.EmployeeAsync(tppCeiling: 3_000_000, office: Health);
        var onLeave = await _arrange.EmployeeAsync(office: Health, changes: [(2, new DateOnly(2025, 9, 1))]);
        var granted = await _arrange.EmployeeAsync(office: Education);
        var nothing = await _arrange.EmployeeAsync(tppCeiling: 5_000_000, office: Education);
        var floor = await _arrange.EmployeeAsync(tppCeiling: 2_000_000, office: Education);
        await _arrange.EmployeeAsync(office: Education, changes: [(3, new DateOnly(2025, 9, 30))]);

        await _arrange.PurchaseAsync(compliant, a, 150_000, Wib(2025, 10, 2));
        await _arrange.PurchaseAsync(compliant, b, 150_000, Wib(2025, 10, 3));
        await _arrange.PurchaseAsync(shortOne, a, 100_000, Wib(2025, 10, 4));
        await _arrange.PurchaseAsync(floor, a, 150_000, Wib(2025, 10, 5));
        await _arrange.PurchaseAsync(floor, b, 200_000, Wib(2025, 10, 6));
        await _arrange.PurchaseAsync(granted, b, 10_000, Wib(2025, 10, 7));
        await Client.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = "bkd-1", RegencyCode = Regency, Nip = granted, Period = "2025-10", Reason = "tugas belajar",
        });
        return [compliant, shortOne, onLeave, granted, nothing, floor];
    }

    [Fact]
    public async Task Office_and_regency_compliance_add_up()
    {
        await ArrangeAsync();

        var health = (await Client.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Health, Period = "2025-10" })).Summary;
        AssertSummary(health, Health, employees: 3, exempt: 1, compliant: 1, nonCompliant: 1, rate: 5000,
            required: 600_000, counted: 400_000, shortfall: 200_000, correction: 200_000);

        var education = (await Client.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Education, Period = "2025-10" })).Summary;
        AssertSummary(education, Education, employees: 3, exempt: 1, compliant: 1, nonCompliant: 1, rate: 5000,
            required: 800_000, counted: 300_000, shortfall: 500_000, correction: 500_000);

        var regency = await Client.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-10" });
        AssertSummary(regency.Summary, "", employees: 6, exempt: 2, compliant: 2, nonCompliant: 2, rate: 5000,
            required: 1_400_000, counted: 700_000, shortfall: 700_000, correction: 700_000);
        Assert.Equal([education, health], regency.Offices);
        Assert.Equal((1, "2025-10"), (regency.Summary.PolicyVersion, regency.Summary.Period));
    }

    [Fact]
    public async Task The_rate_is_rounded_down_in_basis_points()
    {
        var a = await _arrange.MerchantAsync();
        var b = await _arrange.MerchantAsync();
        var nips = new List<string>();
        for (var i = 0; i < 3; i++) nips.Add(await _arrange.EmployeeAsync(office: Health));
        await _arrange.PurchaseAsync(nips[0], a, 150_000, Wib(2025, 10, 2));
        await _arrange.PurchaseAsync(nips[0], b, 150_000, Wib(2025, 10, 2));

        var summary = (await Client.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-10" })).Summary;
        Assert.Equal((1, 3, 3333), (summary.CompliantCount, summary.ObligedCount, summary.ComplianceRateBasisPoints));
    }

    [Fact]
    public async Task The_stream_sends_every_employee_of_the_month_by_NIP_as_evaluated_one_by_one()
    {
        var nips = await ArrangeAsync();

        var streamed = await StreamAsync(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-10" });

        Assert.Equal(nips.Order(StringComparer.Ordinal), streamed.Select(e => e.Nip));
        foreach (var evaluation in streamed)
            Assert.Equal((await _arrange.EvaluateAsync(evaluation.Nip, "2025-10")).Evaluation, evaluation);
        Assert.Equal(2, streamed.Count(e => e.Outcome == QuotaOutcome.Exempt));

        var health = await StreamAsync(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-10", OfficeCode = Health });
        Assert.Equal(nips[..3].Order(StringComparer.Ordinal), health.Select(e => e.Nip));
        Assert.All(health, e => Assert.Equal(Health, e.OfficeCode));

        // September: the one who left on 30 September still belongs to it; the one on leave from 1 September is exempt.
        var september = await StreamAsync(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-09" });
        Assert.Equal(7, september.Count);
        Assert.Equal(0, september.Sum(e => e.CountedRupiah));
    }

    [Fact]
    public async Task Compliance_requests_are_checked()
    {
        await _arrange.EmployeeAsync(office: Health);

        var unknownOffice = await RpcAssert.Expect(StatusCode.NotFound, () => Client.GetOfficeComplianceAsync(
            new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = "9.99.99", Period = "2025-10" }).ResponseAsync);
        Assert.Equal("OFFICE_NOT_FOUND", unknownOffice.Reason());
        Assert.Equal("OFFICE_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => StreamAsync(
            new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-10", OfficeCode = "9.99.99" }))).Reason());
        Assert.Equal(["regency_code", "office_code", "period"], (await RpcAssert.Expect(StatusCode.InvalidArgument, () =>
            Client.GetOfficeComplianceAsync(new GetOfficeComplianceRequest()).ResponseAsync)).Fields());

        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Client.GetRegencyComplianceAsync(
            new GetRegencyComplianceRequest { RegencyCode = "35.99", Period = "2025-10" }).ResponseAsync)).Reason());
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => StreamAsync(
            new StreamEmployeeEvaluationsRequest { RegencyCode = "35.99", Period = "2025-10" }))).Reason());
        Assert.Equal("PERIOD_INVALID", (await RpcAssert.ExpectInvalid("period", () => Client.GetRegencyComplianceAsync(
            new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-00" }).ResponseAsync)).Reason());
        Assert.Equal("PERIOD_INVALID", (await RpcAssert.ExpectInvalid("period", () => StreamAsync(
            new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "oktober" }))).Reason());

        Assert.Equal("QUOTA_POLICY_NOT_IN_FORCE", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Client.GetRegencyComplianceAsync(
            new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-07" }).ResponseAsync)).Reason());
        Assert.Equal("QUOTA_POLICY_NOT_IN_FORCE", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => StreamAsync(
            new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-07" }))).Reason());
    }

    private async Task<List<EmployeeEvaluation>> StreamAsync(StreamEmployeeEvaluationsRequest request)
    {
        using var call = Client.StreamEmployeeEvaluations(request);
        var received = new List<EmployeeEvaluation>();
        await foreach (var response in call.ResponseStream.ReadAllAsync()) received.Add(response.Evaluation);
        return received;
    }

    private static void AssertSummary(ComplianceSummary summary, string office, int employees, int exempt, int compliant, int nonCompliant,
        int rate, long required, long counted, long shortfall, long correction)
    {
        Assert.Equal((Regency, office, "2025-10"), (summary.RegencyCode, summary.OfficeCode, summary.Period));
        Assert.Equal((employees, employees - exempt, exempt, compliant, nonCompliant, rate),
            (summary.EmployeeCount, summary.ObligedCount, summary.ExemptCount, summary.CompliantCount, summary.NonCompliantCount, summary.ComplianceRateBasisPoints));
        Assert.Equal((required, counted, shortfall, correction),
            (summary.TotalRequiredRupiah, summary.TotalCountedRupiah, summary.TotalShortfallRupiah, summary.TotalProjectedCorrectionRupiah));
    }
}
