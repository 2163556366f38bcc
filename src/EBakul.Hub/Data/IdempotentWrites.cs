using System.Security.Cryptography;
using EBakul.Hub.Audit;
using EBakul.Hub.Errors;
using Google.Protobuf;

namespace EBakul.Hub.Data;

/// <summary>
/// Runs a mutating request at most once per (caller, request_id). Inside the write transaction (which holds SQLite's
/// single write lock, so no twin can run in between) the id is looked up first: a retry with the same payload gets
/// the first response byte for byte; the same id with another payload or method fails with FAILED_PRECONDITION
/// <c>REQUEST_ID_REUSED</c>. Otherwise the work runs and its response is inserted under the primary key
/// (caller, request_id), in the same transaction as the change; the key refuses a second row should a twin ever get
/// past the lookup. Failed requests leave no row, so a retry after an error runs again. A request that runs appends
/// its audit event in the same transaction.
/// </summary>
public sealed class IdempotentWrites(DatabaseWriter writer, AuditTrail audit, TimeProvider clock)
{
    private const string InsertSql =
        "INSERT INTO idempotency_records (caller_id, request_id, method, request_hash, response, created_at) " +
        "VALUES ($caller, $request, $method, $hash, $response, $now)";
    private const string SelectSql =
        "SELECT method, request_hash, response FROM idempotency_records WHERE caller_id = $caller AND request_id = $request";

    /// <summary>
    /// Runs <paramref name="work"/> once for the request's id and returns its response, or the stored response
    /// of the first run. <paramref name="rerunnable"/>: the work changes nothing but the transaction (see
    /// <see cref="DatabaseWriter.WriteAsync{T}"/>); the lookup, the record and the audit event are such work too.
    /// </summary>
    public Task<TResponse> WriteAsync<TRequest, TResponse>(
        string callerId, string method, TRequest request, string requestId,
        Func<WriteTransaction, TResponse> work, CancellationToken cancellationToken, bool rerunnable = false)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
        => WriteAsync(callerId, method, request, requestId, static _ => 0, (tx, _) => work(tx), cancellationToken, rerunnable);

    /// <summary>
    /// As <see cref="WriteAsync{TRequest, TResponse}(string, string, TRequest, string, Func{WriteTransaction, TResponse}, CancellationToken, bool)"/>,
    /// for work that starts with reads it can name before it knows whether it runs: <paramref name="readAhead"/> starts them
    /// (<see cref="WriterStatement.ReadAhead"/>) after the request id's lookup, so that on PostgreSQL the lookup and they go
    /// to the server in one round trip; <paramref name="work"/> then runs with what it started, unless the id was seen.
    /// </summary>
    public Task<TResponse> WriteAsync<TRequest, TResponse, TReads>(
        string callerId, string method, TRequest request, string requestId,
        Func<WriteTransaction, TReads> readAhead, Func<WriteTransaction, TReads, TResponse> work, CancellationToken cancellationToken,
        bool rerunnable = false)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        // Everything that depends on the request alone is computed here, beside the caller, not on the writer's thread.
        var hash = HashWithoutRequestId(request);
        var auditNote = AuditTrail.NoteFor(callerId, method, request);
        return writer.WriteAsync(tx =>
        {
            var lookup = LookUp(tx, callerId, requestId);
            audit.ReadHeadAhead(tx);
            var reads = readAhead(tx);
            if (Stored(lookup, requestId, method, hash) is { } stored) return Parse<TResponse>(stored);
            var response = work(tx, reads);
            Store(tx, callerId, requestId, method, hash, response.ToByteArray(), clock.GetUtcNow());
            audit.Append(tx, auditNote);
            return response;
        }, cancellationToken, rerunnable);
    }

    /// <summary>
    /// For work too large for one write (closing a month runs in several): the response of the request id's earlier run,
    /// or null when the id is new. FAILED_PRECONDITION <c>REQUEST_ID_REUSED</c> when the id was used for another request.
    /// The work then runs and keeps its answer with <see cref="KeepFirstAsync"/>.
    /// </summary>
    public Task<TResponse?> ReplayAsync<TRequest, TResponse>(string callerId, string method, TRequest request, string requestId, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        var hash = HashWithoutRequestId(request);
        return writer.WriteAsync(tx => Find(tx, callerId, requestId, method, hash) is { } stored ? Parse<TResponse>(stored) : null,
            cancellationToken, rerunnable: true);
    }

    /// <summary>
    /// Keeps <paramref name="response"/> as the answer to the request id, unless a twin of the request kept its answer
    /// first: the answer kept is returned, so every run of one request id answers the same.
    /// </summary>
    public Task<TResponse> KeepFirstAsync<TRequest, TResponse>(string callerId, string method, TRequest request, string requestId,
        TResponse response, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        var hash = HashWithoutRequestId(request);
        return writer.WriteAsync(tx =>
        {
            if (Find(tx, callerId, requestId, method, hash) is { } stored) return Parse<TResponse>(stored);
            Store(tx, callerId, requestId, method, hash, response.ToByteArray(), clock.GetUtcNow());
            return response;
        }, CancellationToken.None, rerunnable: true);
    }

    private static TResponse Parse<TResponse>(byte[] stored) where TResponse : IMessage<TResponse>, new()
    {
        var response = new TResponse();
        response.MergeFrom(stored);
        return response;
    }

    /// <summary>Inside a write: stores the response of a request's first run under (caller, request_id).</summary>
    internal static void Store(WriteTransaction tx, string callerId, string requestId, string method, byte[] hash, byte[] response, DateTimeOffset now) =>
        tx.Command(InsertSql)
            .Bind("$caller", callerId)
            .Bind("$request", requestId)
            .Bind("$method", method)
            .Bind("$hash", hash)
            .Bind("$response", response)
            .Bind("$now", now.ToUnixTimeMilliseconds())
            .ExecuteDeferred();

    /// <summary>
    /// Inside a write: the stored response of the first run of the id, or null when the id is new.
    /// </summary>
    private static byte[]? Find(WriteTransaction tx, string callerId, string requestId, string method, byte[] hash) =>
        Stored(LookUp(tx, callerId, requestId), requestId, method, hash);

    /// <summary>Starts the lookup of a request id (<see cref="WriterStatement.ReadAhead"/>).</summary>
    private static WriterRowsAhead LookUp(WriteTransaction tx, string callerId, string requestId) =>
        tx.Command(SelectSql).Bind("$caller", callerId).Bind("$request", requestId).ReadAhead();

    /// <summary>The stored response the lookup found, or null; FAILED_PRECONDITION <c>REQUEST_ID_REUSED</c> for another request.</summary>
    private static byte[]? Stored(WriterRowsAhead lookup, string requestId, string method, byte[] hash)
    {
        var reader = lookup.Rows;
        if (!reader.Read()) return null;
        var storedMethod = reader.GetString(0);
        var storedHash = reader.GetBlob(1);
        var response = reader.GetBlob(2);
        if (storedMethod != method || !storedHash.AsSpan().SequenceEqual(hash))
        {
            throw HubException.FailedPrecondition("REQUEST_ID_REUSED",
                $"request_id '{requestId}' was already used for a different request" +
                (storedMethod != method ? $" ({storedMethod})" : "") + "; use a new request_id for a new request");
        }
        return response;
    }

    /// <summary>SHA-256 of the serialized request with its <c>request_id</c> field cleared.</summary>
    public static byte[] HashWithoutRequestId<TRequest>(TRequest request) where TRequest : IMessage<TRequest>
    {
        // Cleared on the request itself and put back, not on a deep copy (an import chunk holds thousands of rows):
        // the request belongs to this call alone.
        var field = request.Descriptor.FindFieldByName("request_id");
        if (field is null) return SHA256.HashData(request.ToByteArray());
        var requestId = field.Accessor.GetValue(request);
        field.Accessor.Clear(request);
        try
        {
            return SHA256.HashData(request.ToByteArray());
        }
        finally
        {
            field.Accessor.SetValue(request, requestId);
        }
    }
}
