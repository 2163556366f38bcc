using System.Net;
using System.Text.Json;
using EBakul.Audit.V1;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Quota;
using EBakul.Integrity.V1;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Integrity;

/// <summary>
/// The integrity service through its channels: a month's signal with its explanation, figures and purchases (names and NIPs
/// under integrity.read only), a review kept with its audit event and changing no evaluation, the scopes, request checks and
/// the JSON route.
/// </summary>
public sealed class IntegrityServiceTests : IDisposable
{
    private const string September = "2025-09";
    private const string Photo = "5f0c3b8e2d9a4c1b7e6f5a4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a00";

    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public IntegrityServiceTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private IntegrityService.IntegrityServiceClient Admin => new(_hub.Channel);

    private IntegrityService.IntegrityServiceClient ClientFor(string id, string scopes, CallerKind kind = CallerKind.RegencySystem, string? office = null) =>
        new(_hub.ChannelFor(_hub.IssueToken(new Caller
        {
            Id = id, DisplayName = id, Kind = kind, Scopes = scopes, Regencies = Regency, OfficeCode = office, RateLimitPerSecond = 10_000,
        })));

    /// <summary>Three employees whose September purchases at one warung carry the same receipt photo, and one honest purchase.</summary>
    private async Task<(string Merchant, List<string> Nips)> ArrangeSharedPhotoAsync()
    {
        var merchant = await _arrange.MerchantAsync(verifiedAt: Wib(2025, 1, 2));
        var nips = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var nip = await _arrange.EmployeeAsync();
            nips.Add(nip);
            await RecordAsync(nip, merchant, 250_000 + i * 1000, Wib(2025, 9, 10 + i), Photo);
        }
        await RecordAsync(await _arrange.EmployeeAsync(), merchant, 40_000, Wib(2025, 9, 20), null);
        return (merchant, nips);
    }

    private async Task RecordAsync(string nip, string merchant, long amount, DateTimeOffset at, string? evidence)
    {
        var draft = new PurchaseDraft
        {
            EmployeeNip = nip, MerchantId = merchant, AmountRupiah = amount, OccurTime = Timestamp.FromDateTimeOffset(at),
            ReceiptKind = EBakul.Ledger.V1.ReceiptKind.Nota, ReceiptReference = $"NT-{TestData.NextNumber():D7}",
        };
        if (evidence is not null) draft.EvidenceSha256 = evidence;
        await _arrange.Ledger.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = TestData.RequestId(), RegencyCode = Regency, Purchase = draft });
    }

    [Fact]
    public async Task A_shared_receipt_photo_is_a_signal_explained_with_its_purchases()
    {
        var (merchant, nips) = await ArrangeSharedPhotoAsync();

        var list = await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September });
        var signal = Assert.Single(list.Signals);
        Assert.Equal(1, list.TotalSize);
        Assert.Equal(IntegritySignalKind.SharedEvidence, signal.Kind);
        Assert.Equal(merchant, signal.MerchantId);
        Assert.Equal(nips.Order(StringComparer.Ordinal), signal.EmployeeNips);
        Assert.Equal(3, signal.PurchaseCount);
        Assert.Equal(753_000, signal.AmountRupiah);
        Assert.InRange(signal.Strength, 1, 100);
        Assert.Contains("3 pembelian berbeda", signal.Explanation);
        Assert.Contains("Rp753.000", signal.Explanation);
        Assert.Equal(3, signal.Figures.Single(f => f.Name == "purchase_count").Value);
        Assert.Null(signal.Review);

        var detail = await Admin.GetIntegritySignalAsync(new GetIntegritySignalRequest { RegencyCode = Regency, Period = September, SignalId = signal.SignalId });
        Assert.Equal(signal.SignalId, detail.Signal.SignalId);
        Assert.Equal(3, detail.Purchases.Count);
        Assert.All(detail.Purchases, p =>
        {
            Assert.Equal(Photo, p.EvidenceSha256);
            Assert.NotEmpty(p.EmployeeName);
            Assert.NotEmpty(p.MerchantName);
        });
        Assert.Equal(detail.Purchases.OrderBy(p => p.OccurredAt.ToDateTimeOffset()).Select(p => p.EntryId), detail.Purchases.Select(p => p.EntryId));

        // The same purchases give the same signal id on every computation.
        var again = await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September });
        Assert.Equal(signal.SignalId, again.Signals.Single().SignalId);

        var kindFiltered = await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest
        {
            RegencyCode = Regency, Period = September, Kind = IntegritySignalKind.ReceiptSequence,
        });
        Assert.Empty(kindFiltered.Signals);
    }

    [Fact]
    public async Task A_review_is_kept_in_the_audit_trail_and_changes_no_evaluation()
    {
        var (_, nips) = await ArrangeSharedPhotoAsync();
        var signal = (await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September })).Signals.Single();
        var quota = new EBakul.Quota.V1.QuotaService.QuotaServiceClient(_hub.Channel);
        var before = await quota.EvaluateEmployeeAsync(new EBakul.Quota.V1.EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nips[0], Period = September });

        var reviewer = ClientFor("inspektorat-review", Scopes.IntegrityReview);
        var reviewed = await reviewer.ReviewIntegritySignalAsync(new ReviewIntegritySignalRequest
        {
            RequestId = "review-1", RegencyCode = Regency, Period = September, SignalId = signal.SignalId,
            Verdict = ReviewVerdict.Confirmed, Note = "Foto nota yang sama; pemilik warung mengakui nota ditulis tanpa belanja.",
        });
        Assert.Equal(ReviewVerdict.Confirmed, reviewed.Signal.Review.Verdict);
        Assert.Equal("inspektorat-review", reviewed.Signal.Review.ReviewedBy);
        // Without integrity.read the reviewer's answer names no employee.
        Assert.Empty(reviewed.Signal.EmployeeNips);

        var listed = (await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September })).Signals.Single();
        Assert.Equal(ReviewVerdict.Confirmed, listed.Review.Verdict);
        Assert.Contains("pemilik warung", listed.Review.Note);

        // A later review replaces it; the audit trail keeps both.
        await Admin.ReviewIntegritySignalAsync(new ReviewIntegritySignalRequest
        {
            RequestId = "review-2", RegencyCode = Regency, Period = September, SignalId = signal.SignalId,
            Verdict = ReviewVerdict.Cleared, Note = "Keputusan diubah setelah klarifikasi.",
        });
        Assert.Equal(ReviewVerdict.Cleared,
            (await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September })).Signals.Single().Review.Verdict);
        var events = (await new AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = Regency }))
            .Events.Where(e => e.Method == "/ebakul.integrity.v1.IntegrityService/ReviewIntegritySignal").ToList();
        Assert.Equal(["review-1", "review-2"], events.Select(e => e.RequestId));
        Assert.Contains(signal.SignalId, events[0].Details);

        var after = await quota.EvaluateEmployeeAsync(new EBakul.Quota.V1.EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nips[0], Period = September });
        Assert.Equal(before.Evaluation, after.Evaluation);
    }

    [Fact]
    public async Task Signals_need_integrity_read_and_a_regency_wide_caller()
    {
        await ArrangeSharedPhotoAsync();
        var request = new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September };

        var reports = ClientFor("dashboard", Scopes.ReportsRead);
        Assert.Equal("SCOPE_MISSING", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => reports.ListIntegritySignalsAsync(request).ResponseAsync)).Reason());

        var reviewer = ClientFor("review-only", Scopes.IntegrityReview);
        Assert.Equal("SCOPE_MISSING", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => reviewer.ListIntegritySignalsAsync(request).ResponseAsync)).Reason());

        var office = ClientFor("opd-system", Scopes.IntegrityRead, CallerKind.OfficeSystem, office: "1.02.01");
        Assert.Equal("OUTSIDE_CALLER_OFFICE", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.ListIntegritySignalsAsync(request).ResponseAsync)).Reason());

        var inspector = ClientFor("inspektorat", Scopes.IntegrityRead);
        Assert.Single((await inspector.ListIntegritySignalsAsync(request)).Signals);
    }

    [Fact]
    public async Task Bad_requests_are_refused_precisely()
    {
        await ArrangeSharedPhotoAsync();
        await RpcAssert.ExpectInvalid("period", () => Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = "2025-13" }).ResponseAsync);
        await RpcAssert.ExpectInvalid("kind", () => Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest
        {
            RegencyCode = Regency, Period = September, Kind = (IntegritySignalKind)99,
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_token", () => Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest
        {
            RegencyCode = Regency, Period = September, PageToken = "not-a-token",
        }).ResponseAsync);
        var missing = await RpcAssert.Expect(StatusCode.NotFound, () => Admin.GetIntegritySignalAsync(new GetIntegritySignalRequest
        {
            RegencyCode = Regency, Period = September, SignalId = "evidence-00000000000000000000",
        }).ResponseAsync);
        Assert.Equal("INTEGRITY_SIGNAL_NOT_FOUND", missing.Reason());
        var signal = (await Admin.ListIntegritySignalsAsync(new ListIntegritySignalsRequest { RegencyCode = Regency, Period = September })).Signals.Single();
        await RpcAssert.ExpectInvalid("verdict", () => Admin.ReviewIntegritySignalAsync(new ReviewIntegritySignalRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = September, SignalId = signal.SignalId, Note = "x",
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("note", () => Admin.ReviewIntegritySignalAsync(new ReviewIntegritySignalRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = September, SignalId = signal.SignalId, Verdict = ReviewVerdict.Cleared,
        }).ResponseAsync);
        // A signal of another month is not there.
        Assert.Equal("INTEGRITY_SIGNAL_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Admin.ReviewIntegritySignalAsync(new ReviewIntegritySignalRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Period = "2025-08", SignalId = signal.SignalId, Verdict = ReviewVerdict.Cleared, Note = "x",
        }).ResponseAsync)).Reason());
    }

    [Fact]
    public async Task The_signals_are_on_their_json_route_and_a_csv_download()
    {
        await ArrangeSharedPhotoAsync();
        var token = _hub.IssueToken(new Caller
        {
            Id = "inspektorat-web", DisplayName = "Inspektorat", Kind = CallerKind.RegencySystem, Scopes = Scopes.IntegrityRead,
            Regencies = Regency, RateLimitPerSecond = 10_000,
        });
        using var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {token}");
        var response = await client.GetAsync($"/v1/regencies/{Regency}/periods/{September}/integritySignals");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var signal = json.RootElement.GetProperty("signals")[0];
        Assert.Equal("INTEGRITY_SIGNAL_KIND_SHARED_EVIDENCE", signal.GetProperty("kind").GetString());
        var id = signal.GetProperty("signalId").GetString();

        var detail = await client.GetAsync($"/v1/regencies/{Regency}/periods/{September}/integritySignals/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        using var detailJson = JsonDocument.Parse(await detail.Content.ReadAsStringAsync());
        Assert.Equal(3, detailJson.RootElement.GetProperty("purchases").GetArrayLength());

        // The CSV download: the header, then one record per signal, with the explanation.
        var csv = await client.GetAsync($"/v1/regencies/{Regency}/periods/{September}/integritySignals.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(EBakul.Hub.Hosting.IntegrityDownloads.Header, lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{id},SharedEvidence,", lines[1]);
        Assert.Contains("Satu foto nota", lines[1]);

        // Not for a caller with reports.read only.
        var reportsToken = _hub.IssueToken(new Caller
        {
            Id = "dashboard-csv", DisplayName = "Dashboard", Kind = CallerKind.RegencySystem, Scopes = Scopes.ReportsRead,
            Regencies = Regency, RateLimitPerSecond = 10_000,
        });
        using var reportsClient = _hub.CreateClient();
        reportsClient.DefaultRequestHeaders.Add("Authorization", $"Bearer {reportsToken}");
        var denied = await reportsClient.GetAsync($"/v1/regencies/{Regency}/periods/{September}/integritySignals.csv");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("SCOPE_MISSING", await denied.Content.ReadAsStringAsync());
    }
}
