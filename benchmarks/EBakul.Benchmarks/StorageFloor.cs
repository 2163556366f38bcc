using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Services;
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
            if (options.PageBytes is { } pageBytes) HubProcess.CreateEmptySqliteFile(database.Path, pageBytes);
            await CreateSchemaAsync(database, dropLedgerIndexes: rows == Rows.EntryPrimaryKeyOnly);
            using var writer = new DatabaseWriter(Options.Create(database));
            var ledger = new PurchaseLedger(TimeProvider.System, new LedgerAppendSignal(), new EBakul.Hub.Domain.Quota.PolicyOfMonth(TimeProvider.System));
            var audit = new AuditTrail(TimeProvider.System);
            var runId = Guid.NewGuid().ToString("N")[..8];
            var usage = new UsageMeter(new ProcessUsage(Environment.ProcessId));
            var (count, elapsed, latencies) = await LoadRun.RunAsync(options.InFlight, options.WarmUp, options.Duration,
                n => Write(writer, ledger, audit, actors, rows, $"{runId}-{n}", n), usage.Start);
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
    /// One purchase's rows through the writer, by the hub's own code for each (the receipt claim and the entry by
    /// <see cref="PurchaseLedger"/>, the record by <see cref="IdempotentWrites"/>, the event by <see cref="AuditTrail"/>),
    /// without the checks and reads around them. What the hub computes beside the caller (the request's hash and audit
    /// note) is computed here too, beside the caller.
    /// </summary>
    private static Task<int> Write(DatabaseWriter writer, PurchaseLedger ledger, AuditTrail audit, Actors actors, Rows rows, string requestId, long n)
    {
        var draft = actors.Draft(n);
        var office = actors.OfficeCodes[actors.EmployeeIndex(n)];
        var request = new RecordPurchaseRequest { RequestId = requestId, RegencyCode = actors.RegencyCode, Purchase = draft };
        var hash = IdempotentWrites.HashWithoutRequestId(request);
        var note = AuditTrail.NoteFor(CallerId, Method, request);
        var occurred = draft.OccurTime.ToDateTimeOffset();
        return writer.WriteAsync(tx =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var entry = new LedgerEntry
            {
                Id = Guid.CreateVersion7().ToString("N"),
                RegencyCode = actors.RegencyCode,
                Kind = EBakul.Hub.Domain.Ledger.EntryKind.Purchase,
                EmployeeNip = draft.EmployeeNip,
                OfficeCode = office,
                MerchantId = draft.MerchantId,
                AmountRupiah = draft.AmountRupiah,
                OccurredAt = occurred,
                PeriodKey = Period.Containing(occurred).Key,
                ReceiptKind = EBakul.Hub.Domain.Ledger.ReceiptKind.Nota,
                ReceiptReference = draft.ReceiptReference,
                RecordedBy = CallerId,
                RecordedAt = now,
            };
            if (rows == Rows.PurchaseRows) PurchaseLedger.ClaimReceipt(tx, entry.MerchantId, entry.ReceiptReference, entry.Id); // its key refuses a twin
            ledger.Append(tx, entry);
            if (rows == Rows.PurchaseRows)
            {
                var response = new RecordPurchaseResponse { Purchase = LedgerGrpcService.ToProto(entry, null) };
                IdempotentWrites.Store(tx, CallerId, requestId, Method, hash, response.ToByteArray(), now);
                audit.Append(tx, note);
            }
            return 0;
        }, rerunnable: true);
    }

    /// <summary>
    /// Creates the hub's schema with its own migrations, on a connection with the hub's pragmas (so a new file gets the
    /// hub's page size); optionally drops every index of the ledger.
    /// </summary>
    private static async Task CreateSchemaAsync(DatabaseOptions database, bool dropLedgerIndexes)
    {
        await using (var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(new SqlitePragmas.Interceptor()).Options))
        {
            await HubMigrations.MigrateAsync(db, CancellationToken.None);
        }
        if (!dropLedgerIndexes) return;
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
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
