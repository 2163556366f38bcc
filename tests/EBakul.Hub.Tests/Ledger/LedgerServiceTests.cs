using EBakul.Hub.Tests.Infrastructure;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace EBakul.Hub.Tests.Ledger;

public sealed class LedgerServiceTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly LedgerArrange _arrange;

    public LedgerServiceTests() => _arrange = new LedgerArrange(_hub);

    private LedgerService.LedgerServiceClient Client => _arrange.Client;

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Recorded_purchase_is_returned_and_readable()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync(officeCode: "1.02.01");
        var draft = _arrange.Draft(nip, merchant, 125_500);
        draft.EvidenceSha256 = new string('a', 64);

        var recorded = await _arrange.RecordAsync(draft);

        Assert.Equal(EntryKind.Purchase, recorded.Kind);
        Assert.Equal(125_500, recorded.AmountRupiah);
        Assert.Equal("1.02.01", recorded.OfficeCode);
        Assert.Equal("2025-10", recorded.Period);
        Assert.Equal(HubFactory.TestAdminId, recorded.RecordedBy);
        Assert.True(recorded.LedgerSequence > 0);
        Assert.Equal(draft.OccurTime, recorded.OccurTime);
        Assert.Equal(draft.EvidenceSha256, recorded.EvidenceSha256);

        var got = await Client.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = "35.22", PurchaseId = recorded.PurchaseId });
        Assert.Equal(recorded, got.Purchase);
    }

    [Fact]
    public async Task Retried_request_returns_the_first_result_and_records_once()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var request = new RecordPurchaseRequest { RequestId = "opd-app-0001", RegencyCode = "35.22", Purchase = _arrange.Draft(nip, merchant) };

        var first = await Client.RecordPurchaseAsync(request);
        _hub.Clock.Advance(TimeSpan.FromMinutes(1));
        var retry = await Client.RecordPurchaseAsync(request);

        Assert.Equal(first, retry);
        var list = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip });
        Assert.Single(list.Purchases);
    }

    [Fact]
    public async Task Fifty_concurrent_identical_requests_yield_one_ledger_entry()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var request = new RecordPurchaseRequest { RequestId = Guid.NewGuid().ToString(), RegencyCode = "35.22", Purchase = _arrange.Draft(nip, merchant) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Client.RecordPurchaseAsync(request).ResponseAsync));

        Assert.Single(responses.Select(r => r.Purchase.PurchaseId).Distinct());
        var list = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip });
        Assert.Single(list.Purchases);
    }

    [Fact]
    public async Task Reused_request_id_with_another_payload_fails_and_changes_nothing()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        await Client.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = "r-1", RegencyCode = "35.22", Purchase = _arrange.Draft(nip, merchant, 50_000) });

        var status = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Client.RecordPurchaseAsync(
            new RecordPurchaseRequest { RequestId = "r-1", RegencyCode = "35.22", Purchase = _arrange.Draft(nip, merchant, 60_000) }).ResponseAsync);

        Assert.Equal("REQUEST_ID_REUSED", status.Reason());
        var list = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip });
        Assert.Single(list.Purchases);
    }

    [Fact]
    public async Task Same_receipt_at_the_same_merchant_never_counts_twice()
    {
        var merchant = await _arrange.MerchantAsync();
        var other = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var draft = _arrange.Draft(nip, merchant);
        draft.ReceiptReference = "NT-0042";
        await _arrange.RecordAsync(draft);

        var again = draft.Clone();
        again.ReceiptReference = "  nt-0042 ";
        var status = await RpcAssert.Expect(StatusCode.AlreadyExists, () => _arrange.RecordAsync(again));
        Assert.Equal("RECEIPT_ALREADY_RECORDED", status.Reason());

        var elsewhere = draft.Clone();
        elsewhere.MerchantId = other;
        await _arrange.RecordAsync(elsewhere);
    }

    [Fact]
    public async Task Every_invalid_field_is_reported_at_once_and_nothing_is_recorded()
    {
        var request = new RecordPurchaseRequest
        {
            RequestId = "bad id with spaces",
            RegencyCode = "35.22",
            Purchase = new PurchaseDraft
            {
                EmployeeNip = "12345",
                MerchantId = "",
                AmountRupiah = 0,
                ReceiptKind = ReceiptKind.Unspecified,
                ReceiptReference = new string('x', 101),
                EvidenceSha256 = "ABC",
            },
        };

        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => Client.RecordPurchaseAsync(request).ResponseAsync);

        Assert.Equal(
            new[] { "request_id", "purchase.employee_nip", "purchase.merchant_id", "purchase.amount_rupiah", "purchase.occur_time",
                "purchase.receipt_kind", "purchase.receipt_reference", "purchase.evidence_sha256" }.Order(),
            status.Fields().Order());
        var list = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" });
        Assert.Empty(list.Purchases);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(100_000_001)]
    public async Task Amount_must_be_positive_and_bounded(long amount)
    {
        var draft = _arrange.Draft("198503152010011001", "m", amount);
        await RpcAssert.ExpectInvalid("purchase.amount_rupiah", () => _arrange.RecordAsync(draft));
    }

    [Fact]
    public async Task Occur_time_in_the_future_is_refused()
    {
        var draft = _arrange.Draft("198503152010011001", "m", at: HubFactory.DefaultNow.AddHours(1));
        var status = await RpcAssert.ExpectInvalid("purchase.occur_time", () => _arrange.RecordAsync(draft));
        Assert.Equal("OCCUR_TIME_IN_FUTURE", status.Reason());
    }

    [Fact]
    public async Task Missing_purchase_and_regency_are_invalid_and_unknown_regency_is_not_found()
    {
        await RpcAssert.ExpectInvalid("purchase", () => Client.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = "x", RegencyCode = "35.22" }).ResponseAsync);
        await RpcAssert.ExpectInvalid("regency_code", () => _arrange.RecordAsync(_arrange.Draft("198503152010011001", "m"), regencyCode: ""));
        var status = await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.RecordAsync(_arrange.Draft("198503152010011001", "m"), regencyCode: "35.99"));
        Assert.Equal("REGENCY_NOT_FOUND", status.Reason());
    }

    [Fact]
    public async Task Merchant_must_exist_in_the_regency_and_be_active()
    {
        var nip = await _arrange.EmployeeAsync();
        var pending = await _arrange.MerchantAsync(status: 1);
        var suspended = await _arrange.MerchantAsync(status: 3);
        var elsewhere = await _arrange.MerchantAsync(regencyCode: HubFactory.OtherRegencyCode, kecamatan: HubFactory.OtherRegencyKecamatanCode);

        Assert.Equal("MERCHANT_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.RecordAsync(_arrange.Draft(nip, "no-such-merchant")))).Reason());
        Assert.Equal("MERCHANT_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.RecordAsync(_arrange.Draft(nip, elsewhere)))).Reason());
        Assert.Equal("MERCHANT_NOT_ACTIVE", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.RecordAsync(_arrange.Draft(nip, pending)))).Reason());
        Assert.Equal("MERCHANT_NOT_ACTIVE", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.RecordAsync(_arrange.Draft(nip, suspended)))).Reason());
    }

    [Fact]
    public async Task Employee_must_be_on_the_regency_roster_and_not_have_left()
    {
        var merchant = await _arrange.MerchantAsync();
        var left = await _arrange.EmployeeAsync(status: 3);
        var elsewhere = await _arrange.EmployeeAsync(regencyCode: HubFactory.OtherRegencyCode);

        Assert.Equal("EMPLOYEE_NOT_ON_ROSTER", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.RecordAsync(_arrange.Draft("199001012015012001", merchant)))).Reason());
        Assert.Equal("EMPLOYEE_NOT_ON_ROSTER", (await RpcAssert.Expect(StatusCode.NotFound, () => _arrange.RecordAsync(_arrange.Draft(elsewhere, merchant)))).Reason());
        Assert.Equal("EMPLOYEE_LEFT", (await RpcAssert.Expect(StatusCode.FailedPrecondition, () => _arrange.RecordAsync(_arrange.Draft(left, merchant)))).Reason());
    }

    [Fact]
    public async Task Purchases_count_in_their_Jakarta_month()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var wib = TimeSpan.FromHours(7);

        var lastMinute = await _arrange.RecordAsync(_arrange.Draft(nip, merchant, at: new DateTimeOffset(2025, 9, 30, 23, 59, 0, wib)));
        var firstMinute = await _arrange.RecordAsync(_arrange.Draft(nip, merchant, at: new DateTimeOffset(2025, 10, 1, 0, 0, 0, wib)));

        Assert.Equal("2025-09", lastMinute.Period);
        Assert.Equal("2025-10", firstMinute.Period);
        var september = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", Period = "2025-09" });
        Assert.Equal(lastMinute.PurchaseId, Assert.Single(september.Purchases).PurchaseId);
    }

    [Fact]
    public async Task Batch_records_each_item_on_its_own_and_replays_on_retry()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var good = _arrange.Draft(nip, merchant);
        var duplicateReceipt = good.Clone();
        var badAmount = _arrange.Draft(nip, merchant, amount: 0);
        var unknownMerchant = _arrange.Draft(nip, "missing");
        var request = new RecordPurchasesRequest { RequestId = "batch-1", RegencyCode = "35.22" };
        request.Purchases.Add(new[] { good, duplicateReceipt, badAmount, unknownMerchant, _arrange.Draft(nip, merchant) });

        var response = await Client.RecordPurchasesAsync(request);

        Assert.Equal(
            new[] { RecordOutcome.Recorded, RecordOutcome.Rejected, RecordOutcome.Rejected, RecordOutcome.Rejected, RecordOutcome.Recorded },
            response.Results.Select(r => r.Outcome));
        Assert.Equal(Enumerable.Range(0, 5), response.Results.Select(r => r.Index));
        Assert.Equal("RECEIPT_ALREADY_RECORDED", response.Results[1].Reason);
        Assert.Equal(("AMOUNT_OUT_OF_RANGE", "amount_rupiah"), (response.Results[2].Reason, response.Results[2].Field));
        Assert.Equal("MERCHANT_NOT_FOUND", response.Results[3].Reason);

        var retry = await Client.RecordPurchasesAsync(request);
        Assert.Equal(response, retry);
        var list = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip });
        Assert.Equal(2, list.Purchases.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Batch_size_is_bounded(int count)
    {
        var request = new RecordPurchasesRequest { RequestId = "b", RegencyCode = "35.22" };
        request.Purchases.Add(Enumerable.Range(0, count).Select(_ => _arrange.Draft("198503152010011001", "m")));
        await RpcAssert.ExpectInvalid("purchases", () => Client.RecordPurchasesAsync(request).ResponseAsync);
    }

    [Fact]
    public async Task Void_appends_a_reversal_keeps_the_original_and_releases_the_receipt()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var draft = _arrange.Draft(nip, merchant, 80_000);
        var purchase = await _arrange.RecordAsync(draft);
        var voidRequest = new VoidPurchaseRequest { RequestId = "void-1", RegencyCode = "35.22", PurchaseId = purchase.PurchaseId, Reason = "wrong amount on nota" };

        var voided = await Client.VoidPurchaseAsync(voidRequest);

        Assert.Equal(EntryKind.Reversal, voided.Reversal.Kind);
        Assert.Equal(-80_000, voided.Reversal.AmountRupiah);
        Assert.Equal(purchase.PurchaseId, voided.Reversal.ReversesPurchaseId);
        Assert.Equal("wrong amount on nota", voided.Reversal.Reason);
        Assert.Equal(purchase.Period, voided.Reversal.Period);
        Assert.Equal(voided.Reversal.PurchaseId, voided.Original.VoidedByPurchaseId);
        var original = await Client.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = "35.22", PurchaseId = purchase.PurchaseId });
        Assert.Equal(80_000, original.Purchase.AmountRupiah);
        Assert.Equal(voided.Reversal.PurchaseId, original.Purchase.VoidedByPurchaseId);

        Assert.Equal(voided, await Client.VoidPurchaseAsync(voidRequest));
        var twice = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Client.VoidPurchaseAsync(
            new VoidPurchaseRequest { RequestId = "void-2", RegencyCode = "35.22", PurchaseId = purchase.PurchaseId, Reason = "again" }).ResponseAsync);
        Assert.Equal("PURCHASE_ALREADY_VOIDED", twice.Reason());
        var reversalVoid = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Client.VoidPurchaseAsync(
            new VoidPurchaseRequest { RequestId = "void-3", RegencyCode = "35.22", PurchaseId = voided.Reversal.PurchaseId, Reason = "x" }).ResponseAsync);
        Assert.Equal("REVERSAL_NOT_VOIDABLE", reversalVoid.Reason());

        var corrected = draft.Clone();
        corrected.AmountRupiah = 85_000;
        Assert.Equal(85_000, (await _arrange.RecordAsync(corrected)).AmountRupiah);
    }

    [Fact]
    public async Task Void_errors_are_precise()
    {
        await RpcAssert.ExpectInvalid("reason", () => Client.VoidPurchaseAsync(new VoidPurchaseRequest { RequestId = "v", RegencyCode = "35.22", PurchaseId = "p" }).ResponseAsync);
        var missing = await RpcAssert.Expect(StatusCode.NotFound, () => Client.VoidPurchaseAsync(
            new VoidPurchaseRequest { RequestId = "v", RegencyCode = "35.22", PurchaseId = "nope", Reason = "r" }).ResponseAsync);
        Assert.Equal("PURCHASE_NOT_FOUND", missing.Reason());

        var merchant = await _arrange.MerchantAsync();
        var purchase = await _arrange.RecordAsync(_arrange.Draft(await _arrange.EmployeeAsync(), merchant));
        await RpcAssert.Expect(StatusCode.NotFound, () => Client.VoidPurchaseAsync(new VoidPurchaseRequest
        {
            RequestId = "v2", RegencyCode = HubFactory.OtherRegencyCode, PurchaseId = purchase.PurchaseId, Reason = "r",
        }).ResponseAsync);
        await RpcAssert.Expect(StatusCode.NotFound, () => Client.GetPurchaseAsync(new GetPurchaseRequest
        {
            RegencyCode = HubFactory.OtherRegencyCode, PurchaseId = purchase.PurchaseId,
        }).ResponseAsync);
    }

    [Fact]
    public async Task List_filters_and_pages_in_ledger_order()
    {
        var merchantA = await _arrange.MerchantAsync();
        var merchantB = await _arrange.MerchantAsync();
        var nip1 = await _arrange.EmployeeAsync(officeCode: "1.02.01");
        var nip2 = await _arrange.EmployeeAsync(officeCode: "4.01.01");
        var recorded = new List<Purchase>();
        for (var i = 0; i < 5; i++) recorded.Add(await _arrange.RecordAsync(_arrange.Draft(nip1, merchantA)));
        recorded.Add(await _arrange.RecordAsync(_arrange.Draft(nip2, merchantB)));

        var pages = new List<Purchase>();
        var token = "";
        do
        {
            var page = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", MerchantId = merchantA, PageSize = 2, PageToken = token });
            Assert.True(page.Purchases.Count <= 2);
            pages.AddRange(page.Purchases);
            token = page.NextPageToken;
        } while (token.Length > 0);
        Assert.Equal(recorded.Take(5).Select(p => p.PurchaseId), pages.Select(p => p.PurchaseId));

        var byOffice = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", OfficeCode = "4.01.01" });
        Assert.Equal(recorded[5].PurchaseId, Assert.Single(byOffice.Purchases).PurchaseId);
        var byEmployeeAndMonth = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip1, Period = "2025-10" });
        Assert.Equal(5, byEmployeeAndMonth.Purchases.Count);

        var first = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", MerchantId = merchantA, PageSize = 2 });
        await RpcAssert.ExpectInvalid("page_token", () => Client.ListPurchasesAsync(
            new ListPurchasesRequest { RegencyCode = "35.22", MerchantId = merchantB, PageToken = first.NextPageToken }).ResponseAsync);
        await RpcAssert.ExpectInvalid("period", () => Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", Period = "2025-13" }).ResponseAsync);
        await RpcAssert.ExpectInvalid("page_size", () => Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", PageSize = 1001 }).ResponseAsync);
    }

    [Fact]
    public async Task An_employees_purchases_of_every_month_are_listed_in_ledger_order_through_the_month_index()
    {
        // The ledger has no index by employee alone: an employee's entries are found month by month, from the regency's
        // first month to its last, with months between that have none.
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var other = await _arrange.EmployeeAsync();
        var august = new DateTimeOffset(2025, 8, 14, 10, 0, 0, TimeSpan.FromHours(7));
        var mine = new List<string>
        {
            (await _arrange.RecordAsync(_arrange.Draft(nip, merchant))).PurchaseId,
            (await _arrange.RecordAsync(_arrange.Draft(nip, merchant, at: august))).PurchaseId,
        };
        await _arrange.RecordAsync(_arrange.Draft(other, merchant, at: august.AddMonths(-2)));
        mine.Add((await _arrange.RecordAsync(_arrange.Draft(nip, merchant))).PurchaseId);
        var voided = await Client.VoidPurchaseAsync(new VoidPurchaseRequest { RequestId = "v-month-index", RegencyCode = "35.22", PurchaseId = mine[1], Reason = "duplicate nota" });

        var pages = new List<Purchase>();
        var token = "";
        do
        {
            var page = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip, PageSize = 2, PageToken = token });
            pages.AddRange(page.Purchases);
            token = page.NextPageToken;
        } while (token.Length > 0);

        Assert.Equal(mine.Append(voided.Reversal.PurchaseId), pages.Select(p => p.PurchaseId));
        Assert.Equal(pages.Select(p => p.LedgerSequence).Order(), pages.Select(p => p.LedgerSequence));
        var august2025 = await Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", EmployeeNip = nip, Period = "2025-08" });
        Assert.Equal([mine[1], voided.Reversal.PurchaseId], august2025.Purchases.Select(p => p.PurchaseId));
    }

    [Fact]
    public async Task Change_feed_replays_from_a_cursor_and_follows_new_entries()
    {
        var merchant = await _arrange.MerchantAsync();
        var nip = await _arrange.EmployeeAsync();
        var recorded = new List<Purchase>();
        for (var i = 0; i < 3; i++) recorded.Add(await _arrange.RecordAsync(_arrange.Draft(nip, merchant)));
        var voided = await Client.VoidPurchaseAsync(new VoidPurchaseRequest { RequestId = "v", RegencyCode = "35.22", PurchaseId = recorded[0].PurchaseId, Reason = "duplicate nota" });

        var all = await ReadFeed(new StreamLedgerEntriesRequest { RegencyCode = "35.22" });
        Assert.Equal(recorded.Select(p => p.PurchaseId).Append(voided.Reversal.PurchaseId), all.Select(e => e.Entry.PurchaseId));

        // A consumer that dropped after the second entry resumes from its cursor and misses nothing.
        var resumed = await ReadFeed(new StreamLedgerEntriesRequest { RegencyCode = "35.22", Cursor = all[1].Cursor });
        Assert.Equal(all.Skip(2).Select(e => e.Entry.PurchaseId), resumed.Select(e => e.Entry.PurchaseId));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = Client.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22", Cursor = all[^1].Cursor, Follow = true }, cancellationToken: cancel.Token);
        var next = call.ResponseStream.MoveNext(cancel.Token);
        var late = await _arrange.RecordAsync(_arrange.Draft(nip, merchant));
        Assert.True(await next);
        Assert.Equal(late.PurchaseId, call.ResponseStream.Current.Entry.PurchaseId);
        cancel.Cancel();

        await RpcAssert.ExpectInvalid("cursor", () => ReadFeed(new StreamLedgerEntriesRequest { RegencyCode = "35.22", Cursor = "abc" }));
    }

    [Fact]
    public async Task Acknowledged_purchase_survives_a_restart_of_the_hub()
    {
        var path = HubFactory.NewDatabasePath();
        Purchase recorded;
        using (var first = new HubFactory(path))
        {
            var arrange = new LedgerArrange(first);
            recorded = await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));
        }

        using var second = new HubFactory(path);
        var client = new LedgerService.LedgerServiceClient(second.Channel);
        var got = await client.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = "35.22", PurchaseId = recorded.PurchaseId });
        Assert.Equal(recorded, got.Purchase);
    }

    private async Task<List<StreamLedgerEntriesResponse>> ReadFeed(StreamLedgerEntriesRequest request)
    {
        using var call = Client.StreamLedgerEntries(request);
        var entries = new List<StreamLedgerEntriesResponse>();
        await foreach (var entry in call.ResponseStream.ReadAllAsync()) entries.Add(entry);
        return entries;
    }
}
