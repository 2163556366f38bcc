using EBakul.Audit.V1;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Ledger.V1;
using EBakul.Quota.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Access;

/// <summary>
/// What an office system sees of an employee who moved: the purchases of the employee's days with it, and the months that
/// count under it, and nothing else (docs/access.md).
/// </summary>
public sealed class OfficeVisibilityTests : IDisposable
{
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public OfficeVisibilityTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private GrpcChannel OfficeChannel(string office) => _hub.ChannelFor(_hub.IssueToken(new Caller
    {
        Id = $"opd-{office}", DisplayName = office, Kind = CallerKind.OfficeSystem, Regencies = Regency, OfficeCode = office,
        Scopes = $"{Scopes.PurchasesRead} {Scopes.PurchasesWrite} {Scopes.QuotaRead} {Scopes.AuditRead}", RateLimitPerSecond = 10_000,
    }));

    [Fact]
    public async Task After_a_move_each_office_sees_the_purchases_it_answers_for_and_no_others()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync(office: Health);
        var september = await _arrange.PurchaseAsync(nip, merchant, 40_000, Wib(2025, 9, 20));
        var octoberBefore = await _arrange.PurchaseAsync(nip, merchant, 50_000, Wib(2025, 10, 3));
        // Moved to Education on 15 October (the sync's date).
        await _arrange.ReassignAsync(nip, e => (e.OfficeCode, e.OfficeName) = (Education, "Dinas Pendidikan"));
        _hub.Clock.Set(Wib(2025, 10, 18));
        var octoberAfter = await _arrange.PurchaseAsync(nip, merchant, 60_000, Wib(2025, 10, 17));

        var health = new LedgerService.LedgerServiceClient(OfficeChannel(Health));
        var education = new LedgerService.LedgerServiceClient(OfficeChannel(Education));

        // Recorded where the employee was on the purchase's date.
        Assert.Equal((Health, Health, Education), (september.OfficeCode, octoberBefore.OfficeCode, octoberAfter.OfficeCode));
        // Education answers for October (the month counts under it): it sees October's purchases, made before the move too.
        Assert.Equal([octoberBefore.PurchaseId, octoberAfter.PurchaseId], await ListAsync(education));
        Assert.Equal([octoberBefore.PurchaseId, octoberAfter.PurchaseId], await FeedAsync(education));
        Assert.Equal(octoberBefore.PurchaseId, (await education.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = Regency, PurchaseId = octoberBefore.PurchaseId })).Purchase.PurchaseId);
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => education.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = Regency, PurchaseId = september.PurchaseId }).ResponseAsync);
        // Health keeps the purchases of the employee's days with it, and sees nothing after the move.
        Assert.Equal([september.PurchaseId, octoberBefore.PurchaseId], await ListAsync(health));
        Assert.Equal([september.PurchaseId, octoberBefore.PurchaseId], await FeedAsync(health));
        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => health.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = Regency, PurchaseId = octoberAfter.PurchaseId }).ResponseAsync);
        Assert.Equal("OUTSIDE_CALLER_OFFICE", denied.Reason());
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => health.VoidPurchaseAsync(new VoidPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, PurchaseId = octoberAfter.PurchaseId, Reason = "not ours",
        }).ResponseAsync);
        // Education may void a purchase of its month made before the move.
        await education.VoidPurchaseAsync(new VoidPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, PurchaseId = octoberBefore.PurchaseId, Reason = "nota of another employee",
        });

        // Compliance: October counts under Education, September under Health.
        var quotaHealth = new QuotaService.QuotaServiceClient(OfficeChannel(Health));
        var quotaEducation = new QuotaService.QuotaServiceClient(OfficeChannel(Education));
        Assert.Equal(60_000, (await quotaEducation.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nip, Period = "2025-10" })).Evaluation.CountedRupiah);
        Assert.Equal(40_000, (await quotaHealth.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nip, Period = "2025-09" })).Evaluation.CountedRupiah);
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => quotaHealth.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nip, Period = "2025-10" }).ResponseAsync);
        var octoberEducation = (await quotaEducation.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Education, Period = "2025-10" })).Summary;
        var octoberHealth = (await quotaHealth.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Health, Period = "2025-10" })).Summary;
        var septemberHealth = (await quotaHealth.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Health, Period = "2025-09" })).Summary;
        Assert.Equal((1, 0, 1), (octoberEducation.EmployeeCount, octoberHealth.EmployeeCount, septemberHealth.EmployeeCount));
    }

    [Fact]
    public async Task An_office_system_reads_only_its_own_office_audit_events()
    {
        var merchant = await _arrange.MerchantAsync();
        var ours = await _arrange.EmployeeAsync(office: Health);
        var theirs = await _arrange.EmployeeAsync(office: Education);
        var healthChannel = OfficeChannel(Health);
        var educationChannel = OfficeChannel(Education);
        await Record(healthChannel, ours, merchant);
        await Record(educationChannel, theirs, merchant);

        var audit = new AuditService.AuditServiceClient(healthChannel);
        var events = (await audit.ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events;
        var unfiltered = (await new AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events;

        Assert.Equal([$"opd-{Health}"], events.Select(e => e.CallerId).Distinct());
        Assert.Contains(unfiltered, e => e.CallerId == $"opd-{Education}");
        Assert.Empty((await audit.ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency, CallerId = $"opd-{Education}" })).Events);
    }

    private static async Task Record(GrpcChannel channel, string nip, string merchant) =>
        await new LedgerService.LedgerServiceClient(channel).RecordPurchaseAsync(new RecordPurchaseRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency,
            Purchase = new PurchaseDraft
            {
                EmployeeNip = nip, MerchantId = merchant, AmountRupiah = 25_000, OccurTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Wib(2025, 10, 6)),
                ReceiptKind = ReceiptKind.Nota, ReceiptReference = $"NT-{Guid.NewGuid():N}",
            },
        });

    private static async Task<List<string>> ListAsync(LedgerService.LedgerServiceClient client) =>
        (await client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = Regency })).Purchases.Select(p => p.PurchaseId).ToList();

    private static async Task<List<string>> FeedAsync(LedgerService.LedgerServiceClient client)
    {
        using var feed = client.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = Regency });
        var ids = new List<string>();
        await foreach (var e in feed.ResponseStream.ReadAllAsync()) ids.Add(e.Entry.PurchaseId);
        return ids;
    }
}
