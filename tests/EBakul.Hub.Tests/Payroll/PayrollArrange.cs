using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Payroll.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// The people, merchants and purchases of one month of Bojonegoro, arranged through the hub's own gRPC services (with
/// <see cref="QuotaArrange"/>), and shortcuts to the payroll service.
/// </summary>
internal sealed class PayrollArrange(HubFactory hub)
{
    public const string September = "2025-09";
    public const string October = "2025-10";
    public const string Health = "1.02.01";
    public const string Education = "1.01.01";

    public QuotaArrange Quota { get; } = new(hub);

    public PayrollService.PayrollServiceClient Payroll { get; } = new(hub.Channel);

    /// <summary>The idempotency key of an employee's adjustment of a month and revision.</summary>
    public static string Key(string nip, string period, int revision) => $"{Regency}:{nip}:{period}:r{revision}";

    /// <summary>
    /// September 2025 under Bojonegoro's default policy (10% of the TPP ceiling rounded up, floor Rp300,000, at most 50% of
    /// the required amount at one merchant, proration, the shortfall deducted). By hand:
    /// <list type="bullet">
    /// <item>Compliant (Health, TPP 3,000,000): owes 300,000; 150,000 at A + 150,000 at B count 300,000.</item>
    /// <item>Short (Health, TPP 3,000,000): owes 300,000; 100,000 at A; shortfall and correction 200,000.</item>
    /// <item>Capped (Education, TPP 5,000,000): owes 500,000, cap 250,000; 400,000 at A counts 250,000, 100,000 at B;
    /// counted 350,000, shortfall 150,000.</item>
    /// <item>Nothing (Education, TPP 4,000,003): owes ceil(400,000.3) = 400,001 and spent nothing.</item>
    /// <item>Prorated (Education, TPP 4,000,003, active from 12 September: 19 of 30 days): owes
    /// ceil(400,001 × 19 / 30) = ceil(253,333.96…) = 253,334, cap floor(253,334 / 2) = 126,667; 50,000 at A; shortfall
    /// 203,334.</item>
    /// <item>Granted (Education): exempted by the BKD for September (spent 10,000 at B).</item>
    /// <item>On leave (Health) all September: exempt, not active.</item>
    /// <item>Left (Education) on 31 August: not part of September.</item>
    /// </list>
    /// Totals over the 5 obliged of 7 employees: required 1,753,335, counted 800,000, shortfall and correction 953,335.
    /// </summary>
    public async Task<SeptemberPeople> SeptemberAsync()
    {
        var a = await Quota.MerchantAsync();
        var b = await Quota.MerchantAsync();
        var compliant = await Quota.EmployeeAsync(tppCeiling: 3_000_000, office: Health);
        var shortOne = await Quota.EmployeeAsync(tppCeiling: 3_000_000, office: Health);
        var capped = await Quota.EmployeeAsync(tppCeiling: 5_000_000, office: Education);
        var nothing = await Quota.EmployeeAsync(tppCeiling: 4_000_003, office: Education);
        var prorated = await Quota.EmployeeAsync(tppCeiling: 4_000_003, office: Education, activeFrom: new DateOnly(2025, 9, 12));
        var granted = await Quota.EmployeeAsync(office: Education);
        var onLeave = await Quota.EmployeeAsync(office: Health, changes: [(2, new DateOnly(2025, 9, 1))]);
        var left = await Quota.EmployeeAsync(office: Education, changes: [(3, new DateOnly(2025, 8, 31))]);

        await Quota.PurchaseAsync(compliant, a, 150_000, Wib(2025, 9, 2));
        var compliantAtB = await Quota.PurchaseAsync(compliant, b, 150_000, Wib(2025, 9, 3));
        await Quota.PurchaseAsync(shortOne, a, 100_000, Wib(2025, 9, 4));
        await Quota.PurchaseAsync(capped, a, 400_000, Wib(2025, 9, 5));
        await Quota.PurchaseAsync(capped, b, 100_000, Wib(2025, 9, 6));
        await Quota.PurchaseAsync(prorated, a, 50_000, Wib(2025, 9, 20));
        await Quota.PurchaseAsync(granted, b, 10_000, Wib(2025, 9, 7));
        await Quota.Quota.GrantQuotaExemptionAsync(new EBakul.Quota.V1.GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = granted, Period = September, Reason = "tugas belajar",
        });
        return new SeptemberPeople(a, b, compliant, shortOne, capped, nothing, prorated, granted, onLeave, left, compliantAtB.PurchaseId);
    }

    /// <summary>
    /// Closes a month with a fresh request_id unless given. <paramref name="asItIs"/>: the month has (almost) no purchases on
    /// purpose, so the close confirms it (<c>confirm_incomplete</c>), as an admin would after checking.
    /// </summary>
    public async Task<ClosePeriodResponse> CloseAsync(string period, string? requestId = null, string regency = Regency, bool asItIs = false) =>
        await Payroll.ClosePeriodAsync(new ClosePeriodRequest
        {
            RequestId = requestId ?? TestData.RequestId(), RegencyCode = regency, Period = period,
            ConfirmIncomplete = asItIs, ConfirmReason = asItIs ? "test month without purchases, closed as it is" : "",
        });

    /// <summary>The state of a month.</summary>
    public async Task<PeriodState> PeriodAsync(string period, string regency = Regency) =>
        (await Payroll.GetPeriodAsync(new GetPeriodRequest { RegencyCode = regency, Period = period })).Period;

    /// <summary>Opens a correction with a fresh request_id unless given.</summary>
    public async Task<PeriodState> OpenCorrectionAsync(string period, string reason = "Inspektorat finding LHP-07/2025: late notas", string? requestId = null) =>
        (await Payroll.OpenCorrectionAsync(new OpenCorrectionRequest
        {
            RequestId = requestId ?? TestData.RequestId(), RegencyCode = Regency, Period = period, Reason = reason,
        })).Period;

    /// <summary>Every adjustment of a month (every page), in creation order.</summary>
    public async Task<List<Adjustment>> AdjustmentsAsync(string period, DeliveryState state = DeliveryState.Unspecified, int pageSize = 0)
    {
        var all = new List<Adjustment>();
        var token = "";
        do
        {
            var page = await Payroll.ListAdjustmentsAsync(new ListAdjustmentsRequest
            {
                RegencyCode = Regency, Period = period, DeliveryState = state, PageSize = pageSize, PageToken = token,
            });
            all.AddRange(page.Adjustments);
            token = page.NextPageToken;
        } while (token.Length > 0);
        return all;
    }

    /// <summary>The adjustments of the regency's stream after <paramref name="cursor"/> until caught up (follow off).</summary>
    public async Task<List<StreamAdjustmentsResponse>> StreamAsync(string cursor = "")
    {
        using var call = Payroll.StreamAdjustments(new StreamAdjustmentsRequest { RegencyCode = Regency, Cursor = cursor });
        var received = new List<StreamAdjustmentsResponse>();
        await foreach (var item in call.ResponseStream.ReadAllAsync()) received.Add(item);
        return received;
    }

    /// <summary>Acknowledges with a fresh request_id unless given.</summary>
    public async Task<AcknowledgeAdjustmentsResponse> AcknowledgeAsync(string? requestId, params (string Key, string Reference)[] acknowledgements)
    {
        var request = new AcknowledgeAdjustmentsRequest { RequestId = requestId ?? TestData.RequestId(), RegencyCode = Regency };
        request.Acknowledgements.AddRange(acknowledgements.Select(a => new AdjustmentAcknowledgement { IdempotencyKey = a.Key, EtppReference = a.Reference }));
        return await Payroll.AcknowledgeAdjustmentsAsync(request);
    }

    /// <summary>Asserts what an adjustment says, field by field.</summary>
    public static void AssertAdjustment(Adjustment a, string nip, string office, string period, int revision,
        long required, long counted, long shortfall, long correction, string supersedes = "")
    {
        Assert.Equal(
            (Regency, nip, office, period, revision, 1, Key(nip, period, revision)),
            (a.RegencyCode, a.Nip, a.OfficeCode, a.Period, a.Revision, a.PolicyVersion, a.IdempotencyKey));
        Assert.Equal((required, counted, shortfall, correction), (a.RequiredRupiah, a.CountedRupiah, a.ShortfallRupiah, a.TppCorrectionRupiah));
        Assert.Equal((Sanction.DeductShortfall, supersedes), (a.Sanction, a.SupersedesKey));
        Assert.NotEmpty(a.AdjustmentId);
        Assert.True(a.Sequence > 0);
    }

    /// <summary>Asserts the frozen totals of a close.</summary>
    public static void AssertTotals(PeriodTotals totals, int employees, int exempt, int compliant, int nonCompliant,
        long required, long counted, long shortfall, long correction)
    {
        Assert.Equal((employees, exempt, compliant, nonCompliant), (totals.Employees, totals.Exempt, totals.Compliant, totals.NonCompliant));
        Assert.Equal((required, counted, shortfall, correction),
            (totals.RequiredRupiah, totals.CountedRupiah, totals.ShortfallRupiah, totals.TppCorrectionRupiah));
    }
}

/// <summary>The NIPs and merchants of <see cref="PayrollArrange.SeptemberAsync"/>.</summary>
internal sealed record SeptemberPeople(
    string MerchantA, string MerchantB, string Compliant, string Short, string Capped, string Nothing, string Prorated,
    string Granted, string OnLeave, string Left, string CompliantPurchaseAtB)
{
    /// <summary>The non-compliant employees of September in NIP order (the order of their adjustments).</summary>
    public string[] NonCompliant => new[] { Short, Capped, Nothing, Prorated }.Order(StringComparer.Ordinal).ToArray();
}
