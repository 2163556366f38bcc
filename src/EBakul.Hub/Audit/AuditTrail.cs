using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EBakul.Hub.Data;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Audit;

/// <summary>The outcome of checking the chain.</summary>
public sealed record AuditVerification(long EventsChecked, long? FirstBrokenSequence, string Message)
{
    /// <summary>Whether every event matches its hash and links to its predecessor.</summary>
    public bool IsIntact => FirstBrokenSequence is null;
}

/// <summary>What the audit event of one request says, before it is appended.</summary>
public sealed record AuditNote(string CallerId, string Method, string RequestId, string RegencyCode, string Details);

/// <summary>
/// The tamper-evident audit trail. Every change appends one event inside the same write transaction as the
/// change itself, so a change without its event (or the reverse) cannot be committed. Each event's hash covers
/// its fields and the previous event's hash: editing, deleting or reordering any event breaks every later link,
/// which <see cref="VerifyAsync"/> finds. Personal data (the owner NIK) is masked before it is written.
/// </summary>
public sealed partial class AuditTrail(TimeProvider clock)
{
    /// <summary>The previous-hash of the first event.</summary>
    public static readonly string GenesisHash = new('0', 64);

    private const int MaxDetailsLength = 4000;
    private const string LastSql = "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1";
    private const string InsertSql =
        "INSERT INTO audit_events (sequence, occurred_at, caller_id, method, request_id, regency_code, details, trace_id, previous_hash, hash) " +
        "VALUES ($sequence, $at, $caller, $method, $request, $regency, $details, $trace, $previous, $hash)";

    // The chain's last event as this hub last wrote or read it, valid while the writer's epoch is unchanged: appending
    // then needs no query for it. Only the writer's thread touches these.
    private long _lastEpoch = -1;
    private long _lastSequence;
    private string _lastHash = GenesisHash;
    // The chain's last event, read ahead for the epoch given (ReadHeadAhead), not yet taken.
    private (long Epoch, WriterRowsAhead Rows)? _headAhead;

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>
    /// What the event of a request will say, computed from the request alone (before the write, off the writer's
    /// thread): its request_id, regency_code and masked details.
    /// </summary>
    public static AuditNote NoteFor(string callerId, string method, IMessage request)
    {
        var requestId = request.Descriptor.FindFieldByName("request_id")?.Accessor.GetValue(request) as string ?? "";
        var regency = request.Descriptor.FindFieldByName("regency_code")?.Accessor.GetValue(request) as string ?? "";
        return new AuditNote(callerId, method, requestId, regency, Describe(request));
    }

    /// <summary>Appends the event of a request inside a write.</summary>
    public void Append(WriteTransaction tx, AuditNote note) =>
        Append(tx, note.CallerId, note.Method, note.RequestId, note.RegencyCode, note.Details);

    /// <summary>
    /// Inside a write that will append an event: when the chain's last event is not known for the write's epoch, starts
    /// reading it (<see cref="WriterStatement.ReadAhead"/>), so that on PostgreSQL it goes with the write's first reads
    /// instead of a round trip of its own when the event is appended.
    /// </summary>
    public void ReadHeadAhead(WriteTransaction tx)
    {
        if (_lastEpoch == tx.Epoch || _headAhead?.Epoch == tx.Epoch) return;
        _headAhead = (tx.Epoch, tx.Command(LastSql).ReadAhead());
    }

    /// <summary>Appends an event inside a write.</summary>
    public void Append(WriteTransaction tx, string callerId, string method, string requestId, string regencyCode, string details)
    {
        if (_lastEpoch != tx.Epoch)
        {
            _lastSequence = 0;
            _lastHash = GenesisHash;
            // The read started ahead in this epoch saw the chain as it is now: nothing was appended since (the epoch
            // changes with every undo, and this hub appends only here).
            var reader = _headAhead is { } ahead && ahead.Epoch == tx.Epoch ? ahead.Rows.Rows : tx.Command(LastSql).ReadAhead().Rows;
            _headAhead = null;
            if (reader.Read())
            {
                _lastSequence = reader.GetInt64(0);
                _lastHash = reader.GetString(1);
            }
            _lastEpoch = tx.Epoch;
        }
        var previousSequence = _lastSequence;
        var previousHash = _lastHash;
        var e = new AuditEvent
        {
            Sequence = previousSequence + 1,
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds()),
            CallerId = callerId,
            Method = method,
            RequestId = requestId,
            RegencyCode = regencyCode,
            Details = details,
            TraceId = Activity.Current?.TraceId.ToString() ?? "",
            PreviousHash = previousHash,
            Hash = "",
        };
        var hash = HashOf(e);
        tx.Command(InsertSql)
            .Bind("$sequence", e.Sequence).Bind("$at", e.OccurredAt.ToUnixTimeMilliseconds()).Bind("$caller", e.CallerId)
            .Bind("$method", e.Method).Bind("$request", e.RequestId).Bind("$regency", e.RegencyCode).Bind("$details", e.Details)
            .Bind("$trace", e.TraceId).Bind("$previous", e.PreviousHash).Bind("$hash", hash)
            .ExecuteDeferred();
        _lastSequence = e.Sequence;
        _lastHash = hash;
    }

    /// <summary>Recomputes every hash and link, in order; stops at the first broken event.</summary>
    public static async Task<AuditVerification> VerifyAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        long checkedCount = 0;
        long expectedSequence = 1;
        var previousHash = GenesisHash;
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(x => x.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (e.Sequence != expectedSequence)
                return new(checkedCount, expectedSequence, $"event {expectedSequence} is missing (next is {e.Sequence})");
            if (e.PreviousHash != previousHash)
                return new(checkedCount, e.Sequence, $"event {e.Sequence} does not link to event {e.Sequence - 1}");
            if (HashOf(e) != e.Hash)
                return new(checkedCount, e.Sequence, $"event {e.Sequence} was altered: its content does not match its hash");
            previousHash = e.Hash;
            expectedSequence++;
            checkedCount++;
        }
        return new(checkedCount, null, $"{checkedCount} events, chain intact");
    }

    /// <summary>
    /// The request as compact JSON with the owner NIK masked, cut at 4,000 characters. A large request (an import chunk
    /// of thousands of merchants) is formatted only as far as the cut, plus a margin: a NIK that begins before the cut
    /// ends inside the margin, so it is whole when it is masked.
    /// </summary>
    public static string Describe(IMessage request)
    {
        var text = new BoundedText(MaxDetailsLength + NikMargin);
        try
        {
            Json.Format(request, text);
        }
        catch (BoundedText.FullException)
        {
        }
        catch (InvalidOperationException)
        {
            // A value the JSON mapping cannot express (an out-of-range Timestamp or Duration, a field mask path with
            // capitals) never breaks the write it describes: the event says so instead. Validation refuses such values
            // where they matter; in output-only fields they are ignored (AIP-203).
            return $"{{\"unformattable\":\"{request.Descriptor.FullName} holds a value the JSON mapping cannot express\"}}";
        }
        var json = MaskNik(text.ToString());
        return text.IsFull || json.Length > MaxDetailsLength ? json[..Math.Min(json.Length, MaxDetailsLength)] + "…(cut)" : json;
    }

    /// <summary>More than the longest <c>"ownerNik": "…"</c> pair.</summary>
    private const int NikMargin = 64;

    /// <summary>A text writer that holds at most a given number of characters and then stops the formatter.</summary>
    private sealed class BoundedText(int capacity) : TextWriter
    {
        private readonly StringBuilder _text = new(Math.Min(capacity, 1024));

        public sealed class FullException : Exception;

        public bool IsFull { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (_text.Length >= capacity) Full();
            _text.Append(value);
        }

        public override void Write(string? value) => Write(value.AsSpan());

        public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

        public override void Write(ReadOnlySpan<char> value)
        {
            var room = capacity - _text.Length;
            if (value.Length <= room)
            {
                _text.Append(value);
                return;
            }
            _text.Append(value[..room]);
            Full();
        }

        public override string ToString() => _text.ToString();

        private void Full()
        {
            IsFull = true;
            throw new FullException();
        }
    }

    /// <summary>Masks every "ownerNik" value to its first 4 and last 2 digits.</summary>
    public static string MaskNik(string json) =>
        NikField().Replace(json, m => $"\"{m.Groups[1].Value}\": \"{Mask(m.Groups[2].Value)}\"");

    /// <summary>"3522015708850001" → "3522**********01".</summary>
    public static string Mask(string nik) =>
        nik.Length <= 6 ? new string('*', nik.Length) : nik[..4] + new string('*', nik.Length - 6) + nik[^2..];

    /// <summary>The hash of an event: SHA-256 over its content and the hash it links to.</summary>
    public static string HashOf(AuditEvent e)
    {
        var canonical = string.Join('\n',
            e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            e.CallerId, e.Method, e.RequestId, e.RegencyCode, e.Details, e.TraceId, e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    [GeneratedRegex("\"(ownerNik|owner_nik)\"\\s*:\\s*\"([^\"]*)\"")]
    private static partial Regex NikField();
}
