using EBakul.Audit.V1;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using EBakul.Reports.V1;
using EBakul.Roster.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// A closed month keeps what its close saw: a roster sync, a merchant change, an exemption or a policy that reaches back
/// changes none of its evaluations, reports, statements or evidence, says so, and reaches the month only through a
/// correction.
/// </summary>
public sealed class ClosedMonthTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;
    private readonly string _folder = Directory.CreateTempSubdirectory("ebakul-closed-month-").FullName;

    public ClosedMonthTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose()
    {
        _hub.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private ReportService.ReportServiceClient Reports => new(_hub.Channel);

    /// <summary>Everything a closed month answers: its state, compliance (QuotaService and the report), evaluations and statements.</summary>
    private async Task<string> MonthAsSeenAsync(string period, params string[] nips)
    {
        var parts = new List<IMessage>
        {
            await _arrange.PeriodAsync(period),
            (await _arrange.Quota.Quota.GetRegencyComplianceAsync(new GetRegencyComplianceRequest { RegencyCode = Regency, Period = period })).Summary,
            (await Reports.GetComplianceReportAsync(new GetComplianceReportRequest { RegencyCode = Regency, Period = period })).Report,
        };
        using (var stream = _arrange.Quota.Quota.StreamEmployeeEvaluations(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = period }))
            await foreach (var evaluation in stream.ResponseStream.ReadAllAsync()) parts.Add(evaluation);
        foreach (var nip in nips)
        {
            parts.Add((await _arrange.Quota.EvaluateAsync(nip, period)).Evaluation);
            var statement = (await _arrange.Payroll.GetEmployeeStatementAsync(new GetEmployeeStatementRequest { RegencyCode = Regency, Nip = nip, Period = period })).Statement;
            statement.CreateTime = null;
            parts.Add(statement);
        }
        return string.Join("\n", parts.Select(p => JsonFormatter.Default.Format(p)));
    }

    private async Task<(int Code, string Output)> ExportAndVerifyAsync(string period)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.jsonl");
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(_hub.Services, ["evidence", "export", "--regency", Regency, "--period", period, "--out", path], output);
        Assert.True(code == 0, output.ToString());
        var verified = new StringWriter();
        return (await HubCommands.RunAsync(null!, ["evidence", "verify", path], verified), verified.ToString().Trim());
    }

    /// <summary>An employee's roster row as <see cref="Quota.QuotaArrange.EmployeeAsync"/> synced it, under <paramref name="office"/>.</summary>
    private static Employee AsArranged(string nip, string office, long tppCeiling) => RosterTestData.Employee(nip, e =>
    {
        e.OfficeCode = office;
        e.OfficeName = $"Kantor {office}";
        e.KelasJabatan = 9;
        e.EmploymentType = (EmploymentType)1;
        e.Echelon = (Echelon)1;
        e.TppCeilingRupiah = tppCeiling;
        e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2020, 1, 1));
    });

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync() =>
        (await new AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events;

    [Fact]
    public async Task A_roster_sync_reaching_back_changes_nothing_of_the_closed_month_says_so_and_takes_effect_through_a_correction()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var before = await MonthAsSeenAsync(September, p.Nothing, p.Short);

        // A newcomer in service since 2020 (the personnel system was late), and Nothing on leave from 1 September.
        var newcomer = RosterTestData.Employee(change: e =>
        {
            e.OfficeCode = Health;
            e.TppCeilingRupiah = 3_000_000;
            e.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2020, 1, 2));
        });
        var onLeave = AsArranged(p.Nothing, Education, 4_000_003);
        onLeave.Status = EmployeeStatus.OnLeave;
        onLeave.StatusEffectiveDate = RosterTestData.Date(new DateOnly(2025, 9, 1));
        var sync = await RosterTestData.SyncAsync(_hub.Channel, [newcomer, onLeave]);
        Assert.Equal([SyncOutcome.Created, SyncOutcome.Updated], sync.Results.Select(r => r.Outcome));
        Assert.All(sync.Results, r => Assert.Equal([September], r.ClosedPeriodsTouched));

        // A reassignment holds from today: it reaches no closed month.
        var moved = AsArranged(p.Short, Education, 3_000_000);
        Assert.Empty((await RosterTestData.SyncAsync(_hub.Channel, [moved])).Results.Single().ClosedPeriodsTouched);

        Assert.Equal(before, await MonthAsSeenAsync(September, p.Nothing, p.Short));
        var newcomerInSeptember = (await _arrange.Quota.EvaluateAsync(newcomer.Nip, September)).Evaluation;
        Assert.Equal(QuotaOutcome.Exempt, newcomerInSeptember.Outcome);
        Assert.Equal(0, newcomerInSeptember.RequiredRupiah);
        var (code, verified) = await ExportAndVerifyAsync(September);
        Assert.True(code == 0, verified);

        var touched = (await AuditAsync()).Where(e => e.Details.Contains("closedMonthsTouched", StringComparison.Ordinal)).ToList();
        Assert.Contains(touched, e => e.Method == "/ebakul.roster.v1.RosterService/SyncEmployees" && e.Details.Contains("\"2025-09\"", StringComparison.Ordinal));

        // The correction applies it: the newcomer owes September, Nothing's adjustment is cancelled (on leave all month).
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.OpenCorrectionAsync(September, "roster corrected by BKD letter 800/123");
        var corrected = await _arrange.CloseAsync(September);
        Assert.Equal(2, corrected.AdjustmentsCreated);
        var inForce = (await _arrange.AdjustmentsAsync(September)).Where(a => a.InForce).ToList();
        Assert.Equal(300_000, inForce.Single(a => a.Nip == newcomer.Nip).TppCorrectionRupiah);
        Assert.Equal(0, inForce.Single(a => a.Nip == p.Nothing).TppCorrectionRupiah);
        Assert.NotEqual(before, await MonthAsSeenAsync(September, p.Nothing, p.Short));
        Assert.True((await ExportAndVerifyAsync(September)).Code == 0);
    }

    [Fact]
    public async Task A_merchant_category_change_keeps_the_closed_month_counting_as_closed_and_names_it()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var before = await MonthAsSeenAsync(September, p.Compliant, p.Capped);
        var merchants = new MerchantService.MerchantServiceClient(_hub.Channel);

        // Merchant A is re-registered as a small business (its sales grew): from now on it does not count (only ultra-micro
        // and micro do under the default policy).
        var updated = await merchants.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = p.MerchantA,
            Merchant = new MerchantDraft { Scale = MerchantScale.Small }, UpdateMask = new FieldMask { Paths = { "scale" } },
        });
        Assert.Equal(MerchantScale.Small, updated.Merchant.Scale);
        Assert.Equal([September], updated.ClosedPeriodsTouched);

        Assert.Equal(before, await MonthAsSeenAsync(September, p.Compliant, p.Capped));
        // A change of anything else (the name, which statements show as it is now) names no month.
        var renamed = await merchants.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, MerchantId = p.MerchantA,
            Merchant = new MerchantDraft { Name = "Warung Bu Sri" }, UpdateMask = new FieldMask { Paths = { "name" } },
        });
        Assert.Empty(renamed.ClosedPeriodsTouched);
        Assert.True((await ExportAndVerifyAsync(September)).Code == 0);
        Assert.Contains(await AuditAsync(), e => e.Method == "/ebakul.merchants.v1.MerchantService/UpdateMerchant"
            && e.Details.Contains("closedMonthsTouched", StringComparison.Ordinal) && e.Details.Contains(p.MerchantA, StringComparison.Ordinal));

        // October (open) already counts A as excluded.
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.Quota.PurchaseAsync(p.Compliant, p.MerchantA, 100_000, Wib(2025, 10, 2));
        Assert.Equal(0, (await _arrange.Quota.EvaluateAsync(p.Compliant, October)).Evaluation.CountedRupiah);

        // A correction of September applies it: Compliant's 150,000 at A no longer counts.
        await _arrange.OpenCorrectionAsync(September, "merchant A is a small business since July: Dindagkop letter 510/77");
        await _arrange.CloseAsync(September);
        var compliant = (await _arrange.AdjustmentsAsync(September)).Single(a => a.Nip == p.Compliant && a.InForce);
        Assert.Equal((150_000L, 150_000L), (compliant.CountedRupiah, compliant.TppCorrectionRupiah));
    }

    [Fact]
    public async Task An_exemption_or_a_policy_cannot_reach_back_into_a_closed_month()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var before = await MonthAsSeenAsync(September, p.Nothing);

        var exemption = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.Quota.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = p.Nothing, Period = September, Reason = "cuti sakit",
        }).ResponseAsync);
        Assert.Equal("PERIOD_CLOSED", exemption.Reason());
        var policy = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.Quota.SetPolicyAsync(Quota.QuotaArrange.Draft(September)));
        Assert.Equal("POLICY_CHANGE_RETROACTIVE", policy.Reason());
        Assert.Equal(before, await MonthAsSeenAsync(September, p.Nothing));
    }

    [Fact]
    public async Task A_superseded_revision_is_neither_offered_nor_acknowledged_and_the_revision_in_force_is_marked()
    {
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var r1 = Key(p.Compliant, September, 1);
        _hub.Clock.Set(Wib(2025, 10, 20, 9));
        await _arrange.OpenCorrectionAsync(September, "nota belongs to another employee");
        await _arrange.Quota.VoidAsync(p.CompliantPurchaseAtB, "nota belongs to another employee");
        await _arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 20_000, Wib(2025, 9, 28));
        await _arrange.CloseAsync(September);

        var shortR1 = (await _arrange.AdjustmentsAsync(September)).Single(a => a.IdempotencyKey == Key(p.Short, September, 1));
        Assert.Equal((DeliveryState.Superseded, false, Key(p.Short, September, 2)), (shortR1.DeliveryState, shortR1.InForce, shortR1.SupersededByKey));
        var pending = await _arrange.AdjustmentsAsync(September, DeliveryState.Pending);
        Assert.DoesNotContain(pending, a => a.IdempotencyKey == shortR1.IdempotencyKey);
        Assert.All(pending, a => Assert.True(a.InForce));
        Assert.Contains(pending, a => a.IdempotencyKey == Key(p.Short, September, 2));

        var acknowledged = await _arrange.AcknowledgeAsync(null, (Key(p.Short, September, 2), "ETPP-2"), (shortR1.IdempotencyKey, "ETPP-1"));
        Assert.Equal(AcknowledgeOutcome.Acknowledged, acknowledged.Results[0].Outcome);
        Assert.Equal((AcknowledgeOutcome.Rejected, "REVISION_SUPERSEDED"), (acknowledged.Results[1].Outcome, acknowledged.Results[1].Reason));
        Assert.Equal(DeliveryState.Superseded, acknowledged.Results[1].Adjustment.DeliveryState);

        // Compliant first owes something at r1 of this correction (a key no earlier revision had): nothing supersedes it.
        Assert.Contains(await _arrange.AdjustmentsAsync(September), a => a.IdempotencyKey == r1 && a.InForce);

        // The statement lists every revision with the one in force.
        var statement = (await _arrange.Payroll.GetEmployeeStatementAsync(new GetEmployeeStatementRequest { RegencyCode = Regency, Nip = p.Short, Period = September })).Statement;
        Assert.Equal([false, true], statement.Adjustments.Select(a => a.InForce));
        Assert.Equal(DeliveryState.Superseded, statement.Adjustments[0].DeliveryState);
    }

    [Fact]
    public async Task A_month_without_any_purchase_is_not_closed_unless_confirmed_and_a_preview_writes_nothing()
    {
        for (var i = 0; i < 3; i++) await _arrange.Quota.EmployeeAsync(tppCeiling: 3_000_000, office: i == 0 ? Health : Education);

        var preview = await _arrange.Payroll.ClosePeriodAsync(new ClosePeriodRequest { RegencyCode = Regency, Period = September, ValidateOnly = true });
        Assert.Equal(PeriodStatus.Open, preview.Period.Status);
        Assert.Equal((3, 3, 0, 3, 900_000L), (preview.Preview.Total.Employees, preview.Preview.Total.Obliged,
            preview.Preview.Total.ObligedWithPurchases, preview.Preview.Total.Adjustments, preview.Preview.Total.CorrectionRupiah));
        Assert.Equal([(Education, 2, 600_000L), (Health, 1, 300_000L)],
            preview.Preview.Offices.Select(o => (o.OfficeCode, o.Figures.Adjustments, o.Figures.CorrectionRupiah)));
        Assert.False(preview.Preview.PurchasesRecorded);
        Assert.StartsWith("no purchase at all", preview.Preview.LooksIncomplete);
        Assert.Empty(await _arrange.AdjustmentsAsync(September));
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(September)).Status);

        var refused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync(September));
        Assert.Equal("CLOSE_LOOKS_INCOMPLETE", refused.Reason());
        var info = refused.GetDetail<ErrorInfo>();
        Assert.Equal(("false", "3", "900000"), (info.Metadata["purchasesRecorded"], info.Metadata["adjustments"], info.Metadata["correctionRupiah"]));
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(September)).Status);
        Assert.Empty(await _arrange.AdjustmentsAsync(September));

        // A reason is required to confirm, and only with the confirmation.
        await RpcAssert.ExpectInvalid("confirm_reason", () => _arrange.Payroll.ClosePeriodAsync(new ClosePeriodRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = September, ConfirmIncomplete = true,
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("confirm_reason", () => _arrange.Payroll.ClosePeriodAsync(new ClosePeriodRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = September, ConfirmReason = "why not",
        }).ResponseAsync);

        var closed = await _arrange.Payroll.ClosePeriodAsync(new ClosePeriodRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = September, ConfirmIncomplete = true,
            ConfirmReason = "e-Bakul suspended in September by Perbup 12/2025",
        });
        Assert.Equal((PeriodStatus.Closed, 3), (closed.Period.Status, closed.AdjustmentsCreated));
        Assert.Equal(900_000, closed.Preview.Total.CorrectionRupiah);
        Assert.Contains(await AuditAsync(), e => e.Method == "/ebakul.payroll.v1.PayrollService/ClosePeriod"
            && e.Details.Contains("Perbup 12/2025", StringComparison.Ordinal) && e.Details.Contains("confirmedIncomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_month_with_far_fewer_buyers_than_the_last_closed_one_is_refused_with_its_figures_and_left_open()
    {
        var merchant = await _arrange.Quota.MerchantAsync();
        var nips = new List<string>();
        for (var i = 0; i < 10; i++) nips.Add(await _arrange.Quota.EmployeeAsync(tppCeiling: 3_000_000, office: i < 5 ? Health : Education));
        // September: 8 of 10 bought something. October: only two purchases came in (2 of 10).
        foreach (var nip in nips.Take(8)) await _arrange.Quota.PurchaseAsync(nip, merchant, 100_000, Wib(2025, 9, 10));
        Assert.Equal(10, (await _arrange.CloseAsync(September)).AdjustmentsCreated);
        _hub.Clock.Set(Wib(2025, 11, 4, 9));
        foreach (var nip in nips.Take(2)) await _arrange.Quota.PurchaseAsync(nip, merchant, 300_000, Wib(2025, 10, 10));

        var preview = (await _arrange.Payroll.ClosePeriodAsync(new ClosePeriodRequest { RegencyCode = Regency, Period = October, ValidateOnly = true })).Preview;
        Assert.Equal((September, 10, 8, 2), (preview.PreviousPeriod, preview.PreviousObliged, preview.PreviousObligedWithPurchases, preview.Total.ObligedWithPurchases));
        Assert.Contains("2 of 10", preview.LooksIncomplete);

        var refused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.CloseAsync(October));
        Assert.Equal("CLOSE_LOOKS_INCOMPLETE", refused.Reason());
        Assert.Equal((September, "8", "2"), (refused.GetDetail<ErrorInfo>().Metadata["previousPeriod"],
            refused.GetDetail<ErrorInfo>().Metadata["previousObligedWithPurchases"], refused.GetDetail<ErrorInfo>().Metadata["obligedWithPurchases"]));
        // Left open: the missing office's purchases are still accepted, and then the month closes without a confirmation
        // (everyone is still short: 300,000 at one merchant counts 150,000, the cap).
        Assert.Equal(PeriodStatus.Open, (await _arrange.PeriodAsync(October)).Status);
        foreach (var nip in nips.Skip(5).Take(4)) await _arrange.Quota.PurchaseAsync(nip, merchant, 300_000, Wib(2025, 10, 12));
        var closed = await _arrange.CloseAsync(October);
        Assert.Equal((PeriodStatus.Closed, 10, 6), (closed.Period.Status, closed.AdjustmentsCreated, closed.Preview.Total.ObligedWithPurchases));
    }
}
