using System.Security.Cryptography;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Ledger.V1;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Benchmarks;

/// <summary>
/// The storage floor of recording a purchase on this machine: the rows one recorded purchase writes, and nothing
/// else, written by the hub's own <see cref="DatabaseWriter"/> (group commit, <c>synchronous=FULL</c>, its
/// checkpointer and pragmas) into a fresh database migrated to the hub's schema, by 64 callers in this process.
/// No gRPC, no checks, no reads: the hub cannot record single durable purchases faster than this on the same
/// machine, so set beside the baseline it shows what share of an empty gRPC call the storage alone allows. Three
/// steps take away what each part of the rows costs: the four rows of a purchase; the ledger entry alone with its
/// indexes; the ledger entry with its primary key only (the plain batched insert).
/// </summary>
public sealed class StorageFloor(BenchmarkOptions options, TextWriter log)
{
    private const string CallerId = "bench-floor";
    private const string Method = "/ebakul.ledger.v1.LedgerService/RecordPurchase";

    // The hub's statements for the same rows (Domain/Ledger/PurchaseLedger and Data/IdempotentWrites); the audit
    // event is appended by the hub's own AuditTrail.
    private const string EntrySql =
        "INSERT INTO ledger_entries (id, regency_code, kind, employee_nip, office_code, merchant_id, amount_rupiah, occurred_at, " +
        "period_key, receipt_kind, receipt_reference, evidence_sha256, recorded_by, recorded_at, reverses_entry_id, reason) " +
        "VALUES ($id, $regency, 1, $nip, $office, $merchant, $amount, $occurred, $period, 1, $receipt, NULL, " +
        "$recordedBy, $recordedAt, NULL, NULL) ON CONFLICT DO NOTHING RETURNING sequence";
    private const string ClaimSql =
        "INSERT INTO receipt_claims (merchant_id, receipt_reference, entry_id) VALUES ($merchant, $reference, $entry) ON CONFLICT DO NOTHING";
    private const string IdempotencySql =
        "INSERT INTO idempotency_records (caller_id, request_id, method, request_hash, response, created_at) " +
        "VALUES ($caller, $request, $method, $hash, $response, $now)";

    /// <summary>Which rows a step writes per purchase.</summary>
    private enum Rows
    {
        /// <summary>The ledger entry, the receipt claim, the idempotency record and the audit event.</summary>
        PurchaseRows,
        /// <summary>The ledger entry, with every index the hub keeps on it.</summary>
        EntryWithIndexes,
        /// <summary>The ledger entry with its primary key only.</summary>
        EntryPrimaryKeyOnly,
    }

    /// <summary>Runs the three steps, each on a fresh database, and returns their figures.</summary>
    public async Task<List<ScenarioResult>> RunAsync(Actors actors)
    {
        var results = new List<ScenarioResult>();
        foreach (var (rows, name) in new[]
                 {
                     (Rows.PurchaseRows, "storage floor: a purchase's 4 rows, hub's writer, no gRPC"),
                     (Rows.EntryWithIndexes, "storage floor: ledger entry alone, with its indexes"),
                     (Rows.EntryPrimaryKeyOnly, "storage floor: ledger entry alone, primary key only"),
                 })
        {
            log.WriteLine($"{name} ...");
            results.Add(await MeasureAsync(actors, rows, $"{name}, {options.InFlight} in flight, durable"));
        }
        return results;
    }

    private async Task<ScenarioResult> MeasureAsync(Actors actors, Rows rows, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ebakul-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var database = new DatabaseOptions { Path = Path.Combine(folder, "floor.db") };
            await CreateSchemaAsync(database, dropLedgerIndexes: rows == Rows.EntryPrimaryKeyOnly);
            using var writer = new DatabaseWriter(Options.Create(database));
            var audit = new AuditTrail(TimeProvider.System);
            var runId = Guid.NewGuid().ToString("N")[..8];
            var usage = new UsageMeter(new ProcessUsage(Environment.ProcessId));
            var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration,
                n => Write(writer, audit, actors, rows, $"{runId}-{n}", n), usage.Start);
            // Memory is left out: the figure would be the benchmark's own process, not a hub's.
            return usage.Stop(new ScenarioResult(name, count, "purchases", elapsed, latencies, 0));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// One purchase's rows through the writer. What the hub computes beside the caller (the request's hash and audit
    /// note, the response) is computed here too, beside the caller; the writer's thread does what the hub's does.
    /// </summary>
    private static Task<int> Write(DatabaseWriter writer, AuditTrail audit, Actors actors, Rows rows, string requestId, long n)
    {
        var draft = actors.Draft(n);
        var office = actors.OfficeCodes[actors.EmployeeIndex(n)];
        var request = new RecordPurchaseRequest { RequestId = requestId, RegencyCode = actors.RegencyCode, Purchase = draft };
        var hash = SHA256.HashData(request.ToByteArray());
        var note = AuditTrail.NoteFor(CallerId, Method, request);
        var occurred = draft.OccurTime.ToDateTimeOffset();
        var period = EBakul.Hub.Domain.Period.Containing(occurred);
        return writer.WriteAsync(tx =>
        {
            var id = Guid.CreateVersion7().ToString("N");
            var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            if (rows == Rows.PurchaseRows)
            {
                tx.Command(ClaimSql).Bind("$merchant", draft.MerchantId).Bind("$reference", draft.ReceiptReference).Bind("$entry", id).ExecuteNonQuery();
            }
            var sequence = (long)tx.Command(EntrySql)
                .Bind("$id", id).Bind("$regency", actors.RegencyCode).Bind("$nip", draft.EmployeeNip).Bind("$office", office)
                .Bind("$merchant", draft.MerchantId).Bind("$amount", draft.AmountRupiah).Bind("$occurred", occurred.ToUnixTimeMilliseconds())
                .Bind("$period", period.Key).Bind("$receipt", draft.ReceiptReference).Bind("$recordedBy", CallerId).Bind("$recordedAt", now)
                .ExecuteScalar()!;
            if (rows == Rows.PurchaseRows)
            {
                var response = new RecordPurchaseResponse
                {
                    Purchase = new Purchase
                    {
                        PurchaseId = id, LedgerSequence = sequence, Kind = EntryKind.Purchase, RegencyCode = actors.RegencyCode, EmployeeNip = draft.EmployeeNip, OfficeCode = office,
                        MerchantId = draft.MerchantId, AmountRupiah = draft.AmountRupiah, OccurTime = draft.OccurTime, Period = period.ToString(),
                        ReceiptKind = draft.ReceiptKind, ReceiptReference = draft.ReceiptReference, RecordedBy = CallerId, RecordTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(now)),
                    },
                };
                tx.Command(IdempotencySql)
                    .Bind("$caller", CallerId).Bind("$request", requestId).Bind("$method", Method).Bind("$hash", hash)
                    .Bind("$response", response.ToByteArray()).Bind("$now", now)
                    .ExecuteNonQuery();
                audit.Append(tx, note);
            }
            return 0;
        }, rerunnable: true);
    }

    /// <summary>Creates the hub's schema with its own migrations; optionally drops every index of the ledger.</summary>
    private static async Task CreateSchemaAsync(DatabaseOptions database, bool dropLedgerIndexes)
    {
        await using (var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseSqlite(database.ConnectionString).Options))
        {
            await db.Database.MigrateAsync();
        }
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        SqlitePragmas.Apply(connection);
        if (!dropLedgerIndexes) return;
        var indexes = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_entries' AND sql IS NOT NULL";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) indexes.Add(reader.GetString(0));
        }
        foreach (var index in indexes)
        {
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP INDEX \"{index}\"";
            await drop.ExecuteNonQueryAsync();
        }
    }
}
