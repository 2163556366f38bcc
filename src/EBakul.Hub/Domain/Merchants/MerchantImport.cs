using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using Google.Protobuf;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>The outcome of one row of an import chunk.</summary>
/// <param name="Index">Position of the row in its chunk, from 0.</param>
/// <param name="MerchantId">The new merchant's id when the row was accepted; null when rejected.</param>
/// <param name="Reason">UPPER_SNAKE reason when rejected.</param>
/// <param name="Field">The offending draft field when rejected (relative, e.g. <c>nib</c>).</param>
/// <param name="Description">What is wrong when rejected.</param>
public sealed record ImportRowResult(int Index, string? MerchantId, string? Reason, string? Field, string? Description)
{
    /// <summary>Whether the row was registered.</summary>
    public bool Accepted => MerchantId is not null;
}

/// <summary>One chunk of an import as the caller sent it.</summary>
/// <param name="Call">The chunk's request and request_id (each chunk is its own idempotent request).</param>
/// <param name="RegencyCode">The regency of every row.</param>
/// <param name="Rows">The rows, in order.</param>
/// <param name="EligibleSince">When set, every row is registered ACTIVE from this moment (migrated, already verified).</param>
public sealed record ImportChunk<TRequest>(IdempotentCall<TRequest> Call, string RegencyCode, IReadOnlyList<MerchantDraft> Rows,
    DateTimeOffset? EligibleSince = null)
    where TRequest : IMessage<TRequest>;

/// <summary>
/// Bulk import of merchants, one chunk at a time. A chunk (at most <see cref="MaxRowsPerChunk"/> rows of one
/// regency, with its own request_id) is checked as a whole first: a malformed chunk ends the import with its
/// error, after the chunks before it have been answered. Then every row is checked on its own, and the valid
/// rows are inserted in one writer transaction with prepared SQL, in row order (one statement per merchant,
/// then one for the first status-history row of all of them). A row whose NIB or QRIS NMID
/// is already registered, in the database or by an earlier row of the same chunk, is refused by the unique
/// indexes inside that transaction and reported as rejected. The chunk's idempotency record is claimed in the
/// same transaction, so a chunk retried with the same request_id gets the first answer and imports nothing
/// twice.
/// <para>
/// While one chunk is being written, the next one is already received and checked, so the single database
/// writer spends its time inserting. Chunks are still written one after the other and answered in order.
/// </para>
/// </summary>
public sealed class MerchantImport(
    IdempotentWrites idempotent, RegencyDirectory directory, MerchantIds ids, TimeProvider clock)
{
    /// <summary>Most rows in one chunk.</summary>
    public const int MaxRowsPerChunk = 5000;
    /// <summary>Status reason of an imported merchant.</summary>
    public const string ImportedReason = "imported";

    /// <summary>
    /// Imports every chunk of <paramref name="chunks"/> in order and passes the answer to each one, built by
    /// <paramref name="respond"/> from the result of every row (or the stored answer of the first run of that
    /// request_id), to <paramref name="answer"/>. Ends with the error of the first chunk that is malformed or
    /// cannot be written, once the chunks before it have been answered.
    /// </summary>
    public async Task ImportAsync<TRequest, TResponse>(IAsyncEnumerable<ImportChunk<TRequest>> chunks,
        Func<ImportChunk<TRequest>, IReadOnlyList<ImportRowResult>, TResponse> respond, Func<TResponse, Task> answer,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        // Committed chunks wait here for their answer to be sent, in order; the loop below meanwhile receives
        // and checks the next chunk.
        var written = Channel.CreateBounded<Task<TResponse>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var answering = Task.Run(async () =>
        {
            await foreach (var commit in written.Reader.ReadAllAsync(CancellationToken.None))
                await answer(await commit);
        }, CancellationToken.None);
        // When a chunk fails to be written or answered, stop waiting for more chunks: the import ends there.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = answering.ContinueWith(_ =>
        {
            written.Writer.TryComplete();
            try { stop.Cancel(); } catch (ObjectDisposedException) { /* the import has already ended */ }
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        ExceptionDispatchInfo? failure = null;
        try
        {
            Task? previous = null;
            await foreach (var chunk in chunks.WithCancellation(stop.Token))
            {
                var prepared = Prepare(chunk);
                if (previous is not null) await previous; // one chunk in the writer at a time, in order
                var commit = CommitAsync(prepared, results => respond(chunk, results), cancellationToken);
                previous = commit;
                await written.Writer.WriteAsync(commit, stop.Token);
            }
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }
        written.Writer.TryComplete();
        await answering; // answers what was committed; fails with the first failed chunk's error
        failure?.Throw();
    }

    /// <summary>A chunk whose shape has been checked, with the rejection of every invalid row.</summary>
    private sealed record PreparedChunk<TRequest>(ImportChunk<TRequest> Chunk, ImportRowResult?[] Rejections)
        where TRequest : IMessage<TRequest>;

    /// <summary>Checks the chunk (throws when it is malformed) and each row, outside the writer.</summary>
    private PreparedChunk<TRequest> Prepare<TRequest>(ImportChunk<TRequest> chunk) where TRequest : IMessage<TRequest>
    {
        var checks = new FieldChecks();
        RequestIds.Check(chunk.Call.RequestId, checks);
        RegencyDirectory.CheckCode(chunk.RegencyCode, checks);
        checks.Check(chunk.Rows.Count <= MaxRowsPerChunk, "merchants", "CHUNK_TOO_LARGE",
            $"holds {chunk.Rows.Count} rows; send at most {MaxRowsPerChunk} rows per chunk");
        MerchantRules.CheckEligibleSince(chunk.EligibleSince, clock.GetUtcNow(), checks);
        checks.ThrowIfAny();
        directory.RequireServed(chunk.RegencyCode);

        var rejections = new ImportRowResult?[chunk.Rows.Count];
        for (var i = 0; i < chunk.Rows.Count; i++)
        {
            var rowChecks = new FieldChecks();
            MerchantRules.CheckDraft(chunk.Rows[i], chunk.RegencyCode, directory, rowChecks, prefix: "");
            if (!rowChecks.IsValid) rejections[i] = Rejected(i, rowChecks.Violations);
        }
        return new PreparedChunk<TRequest>(chunk, rejections);
    }

    /// <summary>Inserts the valid rows of a prepared chunk in one writer transaction, with its idempotency record.</summary>
    private Task<TResponse> CommitAsync<TRequest, TResponse>(PreparedChunk<TRequest> prepared,
        Func<IReadOnlyList<ImportRowResult>, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var (chunk, rejections) = prepared;
        var call = chunk.Call;
        var rows = chunk.Rows;
        return idempotent.WriteAsync(call.CallerId, call.Method, call.Request, call.RequestId, tx =>
        {
            var now = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
            var results = new ImportRowResult[rows.Count];
            var nibRows = new Dictionary<string, int>(StringComparer.Ordinal);
            var qrisRows = new Dictionary<string, int>(StringComparer.Ordinal);
            var accepted = new List<string>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                if (rejections[i] is { } rejected)
                {
                    results[i] = rejected;
                    continue;
                }
                var merchant = MerchantInserts.NewMerchant(ids.Next(now), chunk.RegencyCode, rows[i], now, ImportedReason, chunk.EligibleSince);
                if (!MerchantInserts.TryInsert(tx, merchant))
                {
                    results[i] = Duplicate(tx, i, merchant, nibRows, qrisRows);
                    continue;
                }
                accepted.Add(merchant.Id);
                if (merchant.Nib is not null) nibRows[merchant.Nib] = i;
                if (merchant.QrisNmid is not null) qrisRows[merchant.QrisNmid] = i;
                results[i] = new ImportRowResult(i, merchant.Id, null, null, null);
            }
            if (chunk.EligibleSince is { } since)
                MerchantInserts.InsertStatusChanges(tx, accepted, MerchantStatus.Active, MerchantRules.EligibleSinceReason(since), since, call.CallerId);
            else
                MerchantInserts.InsertStatusChanges(tx, accepted, MerchantStatus.PendingVerification, ImportedReason, now, call.CallerId);

            return respond(results);
        }, cancellationToken, rerunnable: true);
    }

    private static ImportRowResult Rejected(int index, IReadOnlyList<FieldViolation> violations)
    {
        var first = violations[0];
        var description = first.Description;
        if (violations.Count > 1)
            description += "; also " + string.Join("; ", violations.Skip(1).Select(v => $"{v.Field}: {v.Description}"));
        return new ImportRowResult(index, null, first.Reason, first.Field, description);
    }

    private static ImportRowResult Duplicate(WriteTransaction tx, int index, Merchant merchant,
        Dictionary<string, int> nibRows, Dictionary<string, int> qrisRows)
    {
        var conflict = MerchantInserts.Conflict(tx, merchant);
        var nib = conflict.Reason == MerchantInserts.NibAlreadyRegistered;
        var earlierRow = nib
            ? nibRows.TryGetValue(merchant.Nib!, out var n) ? n : -1
            : qrisRows.TryGetValue(merchant.QrisNmid!, out var q) ? q : -1;
        var description = conflict.Message + (earlierRow >= 0 ? $" (by row {earlierRow} of this chunk)" : "");
        return new ImportRowResult(index, null, conflict.Reason, nib ? MerchantDraft.Fields.Nib : MerchantDraft.Fields.QrisNmid, description);
    }
}
