using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Reports;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.DemoData;

/// <summary>How many rows a demo data load wrote and how long it took.</summary>
public sealed record DemoDataLoadResult(int Merchants, int Offices, int Employees, long Purchases, TimeSpan Elapsed);

/// <summary>
/// Writes the rows of a <see cref="DemoDataGenerator"/> (or one per regency, <see cref="DemoDataOptions.Regencies"/>) into the
/// hub's database: merchants with their status history, offices, employees with their status timeline, and ledger entries
/// with their receipt claims, exactly the tables the services fill.
/// <para>
/// The load runs before the hub serves, as one transaction on a connection of its own (so it is all or nothing: an
/// interrupted load leaves no demo data, and the next start loads again). Inserting millions of rows into B-tree
/// indexes at random places is what makes a naive load slow, so the secondary indexes of the loaded tables are
/// dropped first and built again from their own definitions before the commit (a sort, not millions of random
/// inserts), and the receipt claims are inserted in key order from the ledger. Temporary sort data goes to files,
/// not memory, and the connection's large page cache is released when it closes. The generator runs on another
/// thread, one chunk of <see cref="DemoDataOptions.RowsPerWrite"/> rows ahead of the inserts.
/// </para>
/// </summary>
public sealed class DemoDataLoader(
    IOptions<DatabaseOptions> database, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DemoDataLoader> logger)
{
    /// <summary>The load connection's page cache: 256 MiB (a negative cache_size counts KiB).</summary>
    private const int LoadCacheSizeKib = -262_144;

    /// <summary>The tables a load fills; their secondary indexes are rebuilt after the inserts.</summary>
    private static readonly string[] LoadedTables =
        ["merchants", "merchant_status_changes", "offices", "employees", "employee_status_changes", "ledger_entries", "receipt_claims"];

    private const string InsertMerchant =
        "INSERT INTO merchants (id, regency_code, name, owner_name, owner_nik, nib, category, scale, kecamatan_code, " +
        "address, latitude, longitude, qris_nmid, status, status_reason, created_at, updated_at) VALUES " +
        "($id, $regency, $name, $owner_name, $owner_nik, $nib, $category, $scale, $kecamatan, " +
        "$address, $latitude, $longitude, $qris, $status, $status_reason, $created_at, $updated_at)";
    private const string InsertMerchantStatus =
        "INSERT INTO merchant_status_changes (merchant_id, status, reason, effective_at, changed_by) " +
        "VALUES ($merchant_id, $status, $reason, $effective_at, $changed_by)";
    private const string UpsertOffice =
        "INSERT INTO offices (regency_code, code, name) VALUES ($regency, $code, $name) " +
        "ON CONFLICT (regency_code, code) DO UPDATE SET name = excluded.name";
    private const string InsertEmployee =
        "INSERT INTO employees (nip, regency_code, name, office_code, kelas_jabatan, employment_type, echelon, " +
        "tpp_ceiling_rupiah, status, status_effective_date, updated_at) VALUES " +
        "($nip, $regency, $name, $office, $kelas, $type, $echelon, $tpp, $status, $status_date, $updated_at)";
    private const string InsertEmployeeStatus =
        "INSERT INTO employee_status_changes (nip, status, effective_date, recorded_at) VALUES ($nip, $status, $date, $recorded_at)";
    private const string InsertLedgerEntry =
        "INSERT INTO ledger_entries (id, regency_code, kind, employee_nip, office_code, merchant_id, amount_rupiah, " +
        "occurred_at, period_key, receipt_kind, receipt_reference, evidence_sha256, recorded_by, recorded_at) VALUES " +
        "($id, $regency, $kind, $nip, $office, $merchant, $amount, $occurred_at, $period, $receipt_kind, $receipt, " +
        "$evidence, $recorded_by, $recorded_at)";

    /// <summary>
    /// Claims every loaded purchase's receipt, in the claims' key order. A duplicate receipt fails the load (the
    /// generator never makes one).
    /// </summary>
    private const string ClaimLoadedReceipts =
        "INSERT INTO receipt_claims (merchant_id, receipt_reference, entry_id) " +
        "SELECT merchant_id, receipt_reference, id FROM ledger_entries WHERE kind = $purchase ORDER BY merchant_id, receipt_reference";

    /// <summary>
    /// Loads demo data for <paramref name="options"/> unless the database already has a merchant. Returns
    /// null when it loaded nothing.
    /// </summary>
    public async Task<DemoDataLoadResult?> LoadIfEmptyAsync(DemoDataOptions options, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            if (await db.Merchants.AnyAsync(cancellationToken))
            {
                logger.LogInformation("Demo data not loaded: the database already has merchants");
                return null;
            }
        }
        var now = clock.GetUtcNow();
        var generators = DemoRegencies.Of(options).Select(r => new DemoDataGenerator(options, now, r)).ToList();
        var generator = generators[0];
        logger.LogInformation(
            "Loading demo data for {Regencies}: {Merchants} merchants, {Employees} employees each, about {PerEmployee} purchases each in {Period} (seed {Seed})",
            string.Join(", ", generators.Select(g => g.Regency.Code)), generator.MerchantCount, generator.EmployeeCount, generator.PurchasesPerEmployee,
            generator.Period, generator.Seed);
        var result = await Task.Run(() => Load(generators, options.RowsPerWrite, cancellationToken), cancellationToken);
        ReleaseLoadMemory();
        logger.LogInformation(
            "Demo data loaded in {Elapsed:F1} s: {Merchants} merchants, {Offices} offices, {Employees} employees, {Purchases} purchases",
            result.Elapsed.TotalSeconds, result.Merchants, result.Offices, result.Employees, result.Purchases);
        return result;
    }

    /// <summary>Writes every row of <paramref name="generator"/> in one transaction, generating <paramref name="rowsPerChunk"/> rows ahead.</summary>
    public DemoDataLoadResult Load(DemoDataGenerator generator, int rowsPerChunk, CancellationToken cancellationToken) =>
        Load([generator], rowsPerChunk, cancellationToken);

    /// <summary>
    /// Writes every row of <paramref name="generators"/> (a regency each) in one transaction, generating
    /// <paramref name="rowsPerChunk"/> rows ahead.
    /// </summary>
    public DemoDataLoadResult Load(IReadOnlyList<DemoDataGenerator> generators, int rowsPerChunk, CancellationToken cancellationToken)
    {
        rowsPerChunk = Math.Max(1, rowsPerChunk);
        var total = Stopwatch.StartNew();
        var codes = generators.Select(g => g.Regency.Code).ToList();
        List<QuotaPolicy> policies;
        using (var scope = scopes.CreateScope())
            policies = scope.ServiceProvider.GetRequiredService<HubDbContext>().QuotaPolicies.AsNoTracking()
                .Where(p => codes.Contains(p.RegencyCode)).ToList();
        var store = StoreDialect.For(database.Value);
        var sqlite = store.Provider == DatabaseProvider.Sqlite;
        using var connection = sqlite ? OpenSqliteLoadConnection() : store.OpenWriterConnection();
        // On PostgreSQL the load is one write transaction like any other (it holds the replicas' writer lock).
        using var tx = sqlite ? ((SqliteConnection)connection).BeginTransaction(deferred: false) : store.BeginWrite(connection);
        using var session = new LoadSession(store, connection);
        var phase = Stopwatch.StartNew();
        var indexes = DropSecondaryIndexes(connection, tx);

        var now = clock.GetUtcNow();
        // Every regency's merchants and employees before any purchase: the triggers on status changes read the ledger.
        var merchantIds = new Dictionary<DemoDataGenerator, string[]>();
        int merchants = 0, offices = 0, employees = 0;
        long purchases = 0;
        foreach (var generator in generators)
        {
            var regency = generator.Regency.Code;
            var ids = merchantIds[generator] = new string[generator.AllMerchantCount];
            phase.Restart();
            var written = WriteChunks(generator.Merchants(), rowsPerChunk, chunk =>
            {
                // Identifiers are assigned here, before the write, so purchases can name their merchant.
                var chunkIds = chunk.Select(m => ids[m.Index] = Guid.CreateVersion7().ToString("N")).ToArray();
                return () => WriteMerchants(session, regency, chunk, chunkIds);
            }, cancellationToken);
            LogPhase("merchants", regency, written, phase);
            merchants += written;
            offices += WriteOffices(session, regency, generator.Offices);
        }
        foreach (var generator in generators)
        {
            var regency = generator.Regency.Code;
            phase.Restart();
            var written = WriteChunks(generator.Employees(), rowsPerChunk, chunk => () => WriteEmployees(session, regency, chunk, now), cancellationToken);
            LogPhase("employees", regency, written, phase);
            employees += written;
        }
        foreach (var generator in generators)
        {
            var regency = generator.Regency.Code;
            var ids = merchantIds[generator];
            phase.Restart();
            var written = WriteChunks(generator.Purchases(), rowsPerChunk, chunk => () => WritePurchases(session, regency, chunk, ids, now), cancellationToken);
            LogPhase("purchases", regency, written, phase);
            purchases += written;
        }

        phase.Restart();
        using (var claims = Command(connection, tx, ClaimLoadedReceipts))
        {
            StoreDialect.AddParameter(claims, "$purchase", (int)EntryKind.Purchase);
            claims.CommandTimeout = 0;
            claims.ExecuteNonQuery();
        }
        foreach (var sql in indexes) Execute(connection, tx, sql);
        logger.LogInformation("Demo data: receipt claims and {Indexes} indexes built in {Elapsed:F1} s", indexes.Count, phase.Elapsed.TotalSeconds);

        phase.Restart();
        foreach (var regency in codes)
        {
            ReportAggregates.MarkForRebuild(session.Statement, regency, now);
            ReportAggregates.Rebuild(session.Statement, regency, [.. policies.Where(p => p.RegencyCode == regency)]);
        }
        logger.LogInformation("Demo data: report aggregates built in {Elapsed:F1} s", phase.Elapsed.TotalSeconds);

        phase.Restart();
        tx.Commit();
        // SQLite: copy the load into the database file now, while nothing else runs, and start the WAL over empty.
        // PostgreSQL: statistics of the new rows for the planner.
        Execute(connection, null, sqlite ? "PRAGMA wal_checkpoint(TRUNCATE)" : "ANALYZE");
        logger.LogInformation("Demo data: committed and checkpointed in {Elapsed:F1} s", phase.Elapsed.TotalSeconds);
        return new DemoDataLoadResult(merchants, offices, employees, purchases, total.Elapsed);
    }

    /// <summary>The SQLite load connection, with a large page cache of its own.</summary>
    private SqliteConnection OpenSqliteLoadConnection()
    {
        // Not pooled: closing it must free its page cache, and no other user may inherit its settings.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(database.Value.ConnectionString) { Pooling = false }.ToString());
        connection.Open();
        SqlitePragmas.Apply(connection);
        // Sorts for the index builds use files, not memory.
        Execute(connection, null, $"PRAGMA cache_size = {LoadCacheSizeKib}; PRAGMA temp_store = FILE; PRAGMA wal_autocheckpoint = 0;");
        return connection;
    }

    /// <summary>
    /// Hands the memory of a large load back to the operating system before the hub serves: the generator's garbage
    /// (a compacting collection) and the page cache and sort buffers the load connection freed, which the C allocator
    /// would otherwise keep (glibc's <c>malloc_trim</c>, where there is one).
    /// </summary>
    private static void ReleaseLoadMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            NativeMethods.malloc_trim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another C library (musl): its memory stays with the process until reused.
        }
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
        internal static extern int malloc_trim(nuint pad);
    }

    /// <summary>
    /// Drops the indexes the schema declares on the loaded tables (not the primary keys' own) inside the load
    /// transaction and returns their definitions, to be run again once the rows are in.
    /// </summary>
    private static List<string> DropSecondaryIndexes(DbConnection connection, DbTransaction tx)
    {
        var indexes = new List<(string Name, string Sql)>();
        var tables = string.Join(", ", LoadedTables.Select(t => $"'{t}'"));
        using (var list = Command(connection, tx, connection is SqliteConnection
            ? $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
            // PostgreSQL: every index but those of a primary key or unique constraint.
            : $"SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) " +
              "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)"))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes) Execute(connection, tx, $"DROP INDEX \"{name}\"");
        return indexes.Select(i => i.Sql).ToList();
    }

    private void LogPhase(string what, string regency, long rows, Stopwatch phase) =>
        logger.LogInformation("Demo data: {Rows} {What} of {Regency} in {Elapsed:F1} s ({Rate:N0} rows/s)",
            rows, what, regency, phase.Elapsed.TotalSeconds, rows / Math.Max(phase.Elapsed.TotalSeconds, 0.001));

    /// <summary>
    /// Cuts <paramref name="rows"/> into chunks on another thread and runs the insert <paramref name="prepare"/> makes of
    /// each here: the next chunk is generated while one is written.
    /// </summary>
    private static int WriteChunks<T>(IEnumerable<T> rows, int rowsPerChunk, Func<T[], Func<int>> prepare, CancellationToken cancellationToken)
    {
        using var chunks = new BlockingCollection<Func<int>>(boundedCapacity: 2);
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (var chunk in rows.Chunk(rowsPerChunk))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    chunks.Add(prepare(chunk), cancellationToken);
                }
            }
            finally
            {
                chunks.CompleteAdding();
            }
        }, cancellationToken);
        var written = 0;
        foreach (var insert in chunks.GetConsumingEnumerable(cancellationToken)) written += insert();
        producer.GetAwaiter().GetResult();
        return written;
    }

    private static int WriteMerchants(LoadSession tx, string regency, DemoMerchant[] chunk, string[] ids)
    {
        var merchant = tx.Statement(InsertMerchant);
        var status = tx.Statement(InsertMerchantStatus);
        for (var i = 0; i < chunk.Length; i++)
        {
            var m = chunk[i];
            var current = m.Current;
            merchant.Bind("$id", ids[i]).Bind("$regency", regency).Bind("$name", m.Name)
                .Bind("$owner_name", m.OwnerName).Bind("$owner_nik", m.OwnerNik).Bind("$nib", m.Nib).Bind("$category", (int)m.Category)
                .Bind("$scale", (int)m.Scale).Bind("$kecamatan", m.KecamatanCode).Bind("$address", m.Address)
                .Bind("$latitude", m.Latitude).Bind("$longitude", m.Longitude).Bind("$qris", m.QrisNmid).Bind("$status", (int)current.Status)
                .Bind("$status_reason", current.Reason).Bind("$created_at", m.RegisteredAt.ToUnixTimeMilliseconds())
                .Bind("$updated_at", current.EffectiveAt.ToUnixTimeMilliseconds())
                .ExecuteNonQuery();
            foreach (var change in m.History)
            {
                status.Bind("$merchant_id", ids[i]).Bind("$status", (int)change.Status).Bind("$reason", change.Reason)
                    .Bind("$effective_at", change.EffectiveAt.ToUnixTimeMilliseconds()).Bind("$changed_by", DemoDataGenerator.RecordedBy)
                    .ExecuteNonQuery();
            }
        }
        return chunk.Length;
    }

    private static int WriteOffices(LoadSession tx, string regency, IReadOnlyList<DemoOffice> offices)
    {
        var office = tx.Statement(UpsertOffice);
        foreach (var o in offices)
            office.Bind("$regency", regency).Bind("$code", o.Code).Bind("$name", o.Name).ExecuteNonQuery();
        return offices.Count;
    }

    private static int WriteEmployees(LoadSession tx, string regency, DemoEmployee[] chunk, DateTimeOffset now)
    {
        var employee = tx.Statement(InsertEmployee);
        var status = tx.Statement(InsertEmployeeStatus);
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var e in chunk)
        {
            var current = e.Current;
            employee.Bind("$nip", e.Nip).Bind("$regency", regency).Bind("$name", e.Name).Bind("$office", e.Office.Code)
                .Bind("$kelas", e.KelasJabatan).Bind("$type", (int)e.EmploymentType).Bind("$echelon", (int)e.Echelon)
                .Bind("$tpp", e.TppCeilingRupiah).Bind("$status", (int)current.Status).Bind("$status_date", DateText(current.EffectiveDate))
                .Bind("$updated_at", nowMs)
                .ExecuteNonQuery();
            foreach (var change in e.History)
            {
                status.Bind("$nip", e.Nip).Bind("$status", (int)change.Status).Bind("$date", DateText(change.EffectiveDate))
                    .Bind("$recorded_at", nowMs)
                    .ExecuteNonQuery();
            }
        }
        return chunk.Length;
    }

    private static int WritePurchases(LoadSession tx, string regency, DemoPurchase[] chunk, string[] merchantIds, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var entry = tx.Statement(InsertLedgerEntry);
        foreach (var p in chunk)
        {
            entry.Bind("$id", Guid.CreateVersion7().ToString("N")).Bind("$regency", regency)
                .Bind("$kind", (int)EntryKind.Purchase).Bind("$nip", p.EmployeeNip).Bind("$office", p.OfficeCode)
                .Bind("$merchant", merchantIds[p.MerchantIndex]).Bind("$amount", p.AmountRupiah)
                .Bind("$occurred_at", p.OccurredAt.ToUnixTimeMilliseconds()).Bind("$period", Period.Containing(p.OccurredAt).Key)
                .Bind("$receipt_kind", (int)p.ReceiptKind).Bind("$receipt", p.ReceiptReference).Bind("$evidence", p.EvidenceSha256)
                .Bind("$recorded_by", DemoDataGenerator.RecordedBy).Bind("$recorded_at", nowMs)
                .ExecuteNonQuery();
        }
        return chunk.Length;
    }

    private static void Execute(DbConnection connection, DbTransaction? tx, string sql)
    {
        using var command = Command(connection, tx, sql);
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql) => StoreDialect.Command(connection, tx, sql);

    /// <summary>The load's connection (inside its transaction), with each insert prepared once for the whole load.</summary>
    private sealed class LoadSession(StoreDialect store, DbConnection connection) : IDisposable
    {
        private readonly Dictionary<string, WriterStatement> _statements = new(StringComparer.Ordinal);

        public WriterStatement Statement(string sql)
        {
            if (!_statements.TryGetValue(sql, out var statement)) _statements[sql] = statement = store.Prepare(connection, sql);
            return statement;
        }

        public void Dispose()
        {
            foreach (var statement in _statements.Values) statement.Dispose();
        }
    }

    private static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
