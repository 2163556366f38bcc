using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Merchants;

public sealed class MerchantImportTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly MerchantService.MerchantServiceClient _client;

    public MerchantImportTests() => _client = new MerchantService.MerchantServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    private static ImportMerchantsRequest Chunk(string requestId, params MerchantDraft[] rows)
    {
        var chunk = new ImportMerchantsRequest { RequestId = requestId, RegencyCode = TestData.Regency };
        chunk.Merchants.AddRange(rows);
        return chunk;
    }

    /// <summary>Sends the chunks on one stream and returns the answers.</summary>
    private async Task<List<ImportMerchantsResponse>> Import(params ImportMerchantsRequest[] chunks)
    {
        using var call = _client.ImportMerchants();
        var answers = new List<ImportMerchantsResponse>();
        foreach (var chunk in chunks)
        {
            await call.RequestStream.WriteAsync(chunk);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            answers.Add(call.ResponseStream.Current);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        return answers;
    }

    private async Task<int> CountMerchants()
    {
        await using var scope = _hub.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HubDbContext>().Merchants.CountAsync();
    }

    [Fact]
    public async Task Mixed_chunk_accepts_the_valid_rows_and_rejects_each_invalid_one_in_order()
    {
        var existing = await TestData.RegisterMerchantAsync(_hub.Channel);
        var rows = Enumerable.Range(0, 8).Select(_ => TestData.ValidMerchantDraft()).ToArray();
        rows[1].OwnerNik = "3522153104850001";                 // 31 April
        rows[2].Category = MerchantCategory.ModernRetail;
        rows[3].Nib = existing.Nib;                            // taken in the database
        rows[5].Nib = rows[4].Nib;                             // taken by row 4 of this chunk
        rows[6].QrisNmid = rows[0].QrisNmid;                   // taken by row 0 of this chunk
        rows[7].Name = "";
        rows[7].KecamatanCode = "35.21.01";

        var answer = Assert.Single(await Import(Chunk("chunk-1", rows)));

        Assert.Equal("chunk-1", answer.RequestId);
        Assert.Equal((2, 6), (answer.AcceptedCount, answer.RejectedCount));
        Assert.Equal(Enumerable.Range(0, 8), answer.Results.Select(r => r.Index));
        Assert.Equal(
            new[]
            {
                (ImportOutcome.Accepted, "", ""),
                (ImportOutcome.Rejected, "NIK_BIRTH_DATE_INVALID", "owner_nik"),
                (ImportOutcome.Rejected, "CATEGORY_EXCLUDED", "category"),
                (ImportOutcome.Rejected, "NIB_ALREADY_REGISTERED", "nib"),
                (ImportOutcome.Accepted, "", ""),
                (ImportOutcome.Rejected, "NIB_ALREADY_REGISTERED", "nib"),
                (ImportOutcome.Rejected, "QRIS_NMID_ALREADY_REGISTERED", "qris_nmid"),
                (ImportOutcome.Rejected, "FIELD_REQUIRED", "name"),
            },
            answer.Results.Select(r => (r.Outcome, r.Reason, r.Field)));
        Assert.Contains("row 4 of this chunk", answer.Results[5].Description);
        Assert.Contains("row 0 of this chunk", answer.Results[6].Description);
        Assert.Contains("kecamatan_code", answer.Results[7].Description);
        Assert.DoesNotContain("3522153104850001", answer.Results[1].Description);
        Assert.All(answer.Results.Where(r => r.Outcome == ImportOutcome.Rejected), r => Assert.Equal("", r.MerchantId));

        var imported = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = answer.Results[4].MerchantId });
        Assert.Equal(rows[4].Name, imported.Merchant.Name);
        Assert.Equal(rows[4].Nib, imported.Merchant.Nib);
        Assert.Equal(MerchantStatus.PendingVerification, imported.Merchant.Status);
        Assert.Equal("imported", imported.Merchant.StatusReason);
        Assert.True(imported.Merchant.HasOwnerNik);
        Assert.Equal(3, await CountMerchants());

        await using var scope = _hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var accepted = answer.Results.Where(r => r.Outcome == ImportOutcome.Accepted).Select(r => r.MerchantId).ToList();
        var history = await db.MerchantStatusChanges.AsNoTracking().Where(c => accepted.Contains(c.MerchantId)).ToListAsync();
        Assert.Equal(2, history.Count);
        Assert.All(history, c => Assert.Equal((Domain.Merchants.MerchantStatus.PendingVerification, "imported", HubFactory.TestAdminId), (c.Status, c.Reason, c.ChangedBy)));
    }

    [Fact]
    public async Task Accepted_rows_get_ids_in_row_order_across_chunks()
    {
        var answers = await Import(
            Chunk("a", Enumerable.Range(0, 50).Select(_ => TestData.ValidMerchantDraft()).ToArray()),
            Chunk("b", Enumerable.Range(0, 50).Select(_ => TestData.ValidMerchantDraft()).ToArray()));

        var ids = answers.SelectMany(a => a.Results).Select(r => r.MerchantId).ToList();
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        var listed = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency, PageSize = 1000 });
        Assert.Equal(ids, listed.Merchants.Select(m => m.MerchantId));
    }

    [Fact]
    public async Task An_import_cancelled_mid_stream_and_resumed_with_the_same_request_ids_creates_every_merchant_once()
    {
        // Half the rows have neither NIB nor QRIS NMID: for those, only the chunk's request_id prevents a second copy.
        var chunks = Enumerable.Range(0, 6).Select(c => Chunk($"resume-{c}", Enumerable.Range(0, 300).Select(r =>
        {
            var draft = TestData.ValidMerchantDraft();
            if (r % 2 == 0) (draft.Nib, draft.QrisNmid) = ("", "");
            return draft;
        }).ToArray())).ToList();

        // Every chunk sent, the first answer read, then the call cancelled: chunks after the acknowledged one may be committed too.
        using (var cancel = new CancellationTokenSource())
        {
            using var call = _client.ImportMerchants(cancellationToken: cancel.Token);
            foreach (var chunk in chunks) await call.RequestStream.WriteAsync(chunk);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await cancel.CancelAsync();
        }
        var committed = await CountMerchants();
        Assert.InRange(committed, 300, 6 * 300);
        Assert.Equal(0, committed % 300); // whole chunks only

        // Resumed: every chunk after the acknowledged one sent again with its request_id.
        var resumed = await Import(chunks.Skip(1).ToArray());

        Assert.All(resumed, answer => Assert.Equal((300, 0), (answer.AcceptedCount, answer.RejectedCount)));
        Assert.Equal(6 * 300, await CountMerchants());
        // The same rows under new request_ids: those with a NIB are refused by it (the natural key), nothing is added.
        var again = Assert.Single(await Import(Chunk("resume-again", chunks[0].Merchants.Where(m => m.Nib.Length > 0).ToArray())));
        Assert.All(again.Results, r => Assert.Equal("NIB_ALREADY_REGISTERED", r.Reason));
        Assert.Equal(6 * 300, await CountMerchants());
    }

    [Fact]
    public async Task Retried_chunk_is_answered_from_the_first_result_and_imports_nothing_twice()
    {
        var rows = Enumerable.Range(0, 20).Select(_ => TestData.ValidMerchantDraft()).ToArray();
        rows[7].Nib = "bad";
        var first = Assert.Single(await Import(Chunk("retry-me", rows)));

        _hub.Clock.Advance(TimeSpan.FromMinutes(1));
        var retried = await Import(Chunk("retry-me", rows), Chunk("retry-me", rows));

        Assert.All(retried, answer => Assert.Equal(first, answer));
        Assert.Equal((19, 1), (first.AcceptedCount, first.RejectedCount));
        Assert.Equal(19, await CountMerchants());

        // The same request_id with other rows is a different request.
        var reused = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Import(Chunk("retry-me", TestData.ValidMerchantDraft())));
        Assert.Equal("REQUEST_ID_REUSED", reused.Reason());

        // The same rows under a new request_id are duplicates of what was imported.
        var again = Assert.Single(await Import(Chunk("second-time", rows)));
        Assert.Equal(0, again.AcceptedCount);
        Assert.All(again.Results.Where(r => r.Index != 7), r => Assert.Equal("NIB_ALREADY_REGISTERED", r.Reason));
        Assert.Equal(19, await CountMerchants());
    }

    [Fact]
    public async Task Chunk_without_request_id_ends_the_stream_after_the_chunks_before_it()
    {
        using var call = _client.ImportMerchants();
        await call.RequestStream.WriteAsync(Chunk("good", TestData.ValidMerchantDraft()));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, call.ResponseStream.Current.AcceptedCount);

        await call.RequestStream.WriteAsync(Chunk("", TestData.ValidMerchantDraft()));
        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(new[] { "request_id" }, status.Fields());
        Assert.Equal(1, await CountMerchants());
    }

    [Fact]
    public async Task Chunk_of_more_than_5000_rows_is_refused()
    {
        var draft = TestData.ValidMerchantDraft();
        var rows = Enumerable.Range(0, 5001).Select(_ => draft).ToArray();

        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => Import(Chunk("too-big", rows)));

        Assert.Equal(("CHUNK_TOO_LARGE", "merchants"), (status.Reason(), status.Fields().Single()));
        Assert.Equal(0, await CountMerchants());
    }

    [Fact]
    public async Task Chunk_of_an_unknown_regency_is_not_found()
    {
        var chunk = Chunk("elsewhere", TestData.ValidMerchantDraft());
        chunk.RegencyCode = "35.99";

        var status = await RpcAssert.Expect(StatusCode.NotFound, () => Import(chunk));

        Assert.Equal("REGENCY_NOT_FOUND", status.Reason());
        chunk.RegencyCode = "";
        await RpcAssert.ExpectInvalid("regency_code", () => Import(chunk));
    }

    [Fact]
    public async Task A_full_chunk_of_5000_rows_at_their_longest_is_imported()
    {
        var rows = Enumerable.Range(0, 5000).Select(i =>
        {
            var draft = TestData.ValidMerchantDraft();
            draft.Name = $"{i} ".PadRight(200, 'n');
            draft.OwnerName = new string('o', 200);
            draft.Address = new string('a', 500);
            return draft;
        }).ToArray();
        Assert.True(Chunk("full", rows).CalculateSize() > 4 * 1024 * 1024); // above gRPC's default message limit

        var answer = Assert.Single(await Import(Chunk("full", rows)));

        Assert.Equal(5000, answer.AcceptedCount);
        Assert.Equal(5000, await CountMerchants());
    }
}
