using System.Diagnostics;
using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.DemoData;

/// <summary>How many rows a demo data load wrote and how long it took.</summary>
public sealed record DemoDataLoadResult(int Merchants, int Offices, int Employees, long Purchases, TimeSpan Elapsed);

/// <summary>
/// Writes the rows of a <see cref="DemoDataGenerator"/> into the hub's database through the single
/// <see cref="DatabaseWriter"/>, in chunks of <see cref="DemoDataOptions.RowsPerWrite"/> rows per write
/// (one durable commit each) with prepared SQL. It fills exactly the tables the services fill:
/// merchants with their status history, offices, employees with their status timeline, and ledger
/// entries with their receipt claims. While one chunk is written the next one is generated.
/// </summary>
public sealed class DemoDataLoader(
    DatabaseWriter writer, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DemoDataLoader> logger)
{
    /// <summary>The writer's page cache during a load: 128 MiB (a negative cache_size counts KiB).</summary>
    private const int LoadCacheSizeKib = -131_072;

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
    private const string InsertReceiptClaim =
        "INSERT INTO receipt_claims (merchant_id, receipt_reference, entry_id) VALUES ($merchant, $receipt, $entry)";

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
        var generator = new DemoDataGenerator(options, clock.GetUtcNow());
        logger.LogInformation(
            "Loading demo data for {Regency}: {Merchants} merchants, {Employees} employees, about {PerEmployee} purchases each in {Period} (seed {Seed})",
            DemoDataGenerator.RegencyCode, generator.MerchantCount, generator.EmployeeCount, generator.PurchasesPerEmployee, generator.Period, generator.Seed);
        var result = await LoadAsync(generator, options.RowsPerWrite, cancellationToken);
        logger.LogInformation(
            "Demo data loaded in {Elapsed:F1} s: {Merchants} merchants, {Offices} offices, {Employees} employees, {Purchases} purchases",
            result.Elapsed.TotalSeconds, result.Merchants, result.Offices, result.Employees, result.Purchases);
        return result;
    }

    /// <summary>Writes every row of <paramref name="generator"/>, <paramref name="rowsPerWrite"/> rows per write.</summary>
    public async Task<DemoDataLoadResult> LoadAsync(DemoDataGenerator generator, int rowsPerWrite, CancellationToken cancellationToken)
    {
        rowsPerWrite = Math.Max(1, rowsPerWrite);
        var total = Stopwatch.StartNew();

        // A bulk load inserts into several indexes at random places: a larger page cache on the writer's
        // connection for the duration of the load saves most page reads. The setting is restored after.
        var previousCacheSize = await writer.WriteAsync(tx => Convert.ToInt64(tx.Command("PRAGMA cache_size").ExecuteScalar(), CultureInfo.InvariantCulture), cancellationToken);
        await writer.WriteAsync(tx => tx.Command($"PRAGMA cache_size = {LoadCacheSizeKib}").ExecuteNonQuery(), cancellationToken);
        int merchants, employees, purchases;
        try
        {
            var phase = Stopwatch.StartNew();
            var merchantIds = new string[generator.MerchantCount];
            merchants = await WriteChunksAsync(generator.Merchants(), rowsPerWrite, chunk =>
            {
                // Identifiers are assigned here, before the write, so purchases can name their merchant.
                var ids = chunk.Select(m => merchantIds[m.Index] = Guid.CreateVersion7().ToString("N")).ToArray();
                return tx => WriteMerchants(tx, chunk, ids);
            }, cancellationToken);
            LogPhase("merchants", merchants, phase);

            await writer.WriteAsync(tx => WriteOffices(tx, generator.Offices), cancellationToken);

            phase.Restart();
            var now = clock.GetUtcNow();
            employees = await WriteChunksAsync(generator.Employees(), rowsPerWrite,
                chunk => tx => WriteEmployees(tx, chunk, now), cancellationToken);
            LogPhase("employees", employees, phase);

            phase.Restart();
            purchases = await WriteChunksAsync(generator.Purchases(), rowsPerWrite,
                chunk => tx => WritePurchases(tx, chunk, merchantIds, now), cancellationToken);
            LogPhase("purchases", purchases, phase);
        }
        finally
        {
            await writer.WriteAsync(tx => tx.Command($"PRAGMA cache_size = {previousCacheSize}").ExecuteNonQuery(), CancellationToken.None);
        }

        return new DemoDataLoadResult(merchants, generator.Offices.Count, employees, purchases, total.Elapsed);
    }

    private void LogPhase(string what, long rows, Stopwatch phase) =>
        logger.LogInformation("Demo data: {Rows} {What} in {Elapsed:F1} s ({Rate:N0} rows/s)",
            rows, what, phase.Elapsed.TotalSeconds, rows / Math.Max(phase.Elapsed.TotalSeconds, 0.001));

    /// <summary>
    /// Cuts <paramref name="rows"/> into chunks and writes each with the work <paramref name="prepare"/> makes
    /// of it. One write is in flight while the next chunk is generated.
    /// </summary>
    private async Task<int> WriteChunksAsync<T>(IEnumerable<T> rows, int rowsPerWrite,
        Func<T[], Func<WriteTransaction, int>> prepare, CancellationToken cancellationToken)
    {
        var written = 0;
        Task<int>? inFlight = null;
        foreach (var chunk in rows.Chunk(rowsPerWrite))
        {
            var work = prepare(chunk);
            var next = writer.WriteAsync(work, cancellationToken);
            if (inFlight is not null) written += await inFlight;
            inFlight = next;
        }
        if (inFlight is not null) written += await inFlight;
        return written;
    }

    private static int WriteMerchants(WriteTransaction tx, DemoMerchant[] chunk, string[] ids)
    {
        var merchant = Prepared(tx.Command(InsertMerchant), "$id", "$regency", "$name", "$owner_name", "$owner_nik", "$nib",
            "$category", "$scale", "$kecamatan", "$address", "$latitude", "$longitude", "$qris", "$status", "$status_reason",
            "$created_at", "$updated_at");
        var status = Prepared(tx.Command(InsertMerchantStatus), "$merchant_id", "$status", "$reason", "$effective_at", "$changed_by");
        for (var i = 0; i < chunk.Length; i++)
        {
            var m = chunk[i];
            var current = m.Current;
            merchant.Run(ids[i], DemoDataGenerator.RegencyCode, m.Name, m.OwnerName, m.OwnerNik, m.Nib, (int)m.Category,
                (int)m.Scale, m.KecamatanCode, m.Address, m.Latitude, m.Longitude, m.QrisNmid, (int)current.Status,
                current.Reason, m.RegisteredAt.ToUnixTimeMilliseconds(), current.EffectiveAt.ToUnixTimeMilliseconds());
            foreach (var change in m.History)
                status.Run(ids[i], (int)change.Status, change.Reason, change.EffectiveAt.ToUnixTimeMilliseconds(), DemoDataGenerator.RecordedBy);
        }
        return chunk.Length;
    }

    private static int WriteOffices(WriteTransaction tx, IReadOnlyList<DemoOffice> offices)
    {
        var office = Prepared(tx.Command(UpsertOffice), "$regency", "$code", "$name");
        foreach (var o in offices) office.Run(DemoDataGenerator.RegencyCode, o.Code, o.Name);
        return offices.Count;
    }

    private static int WriteEmployees(WriteTransaction tx, DemoEmployee[] chunk, DateTimeOffset now)
    {
        var employee = Prepared(tx.Command(InsertEmployee), "$nip", "$regency", "$name", "$office", "$kelas", "$type",
            "$echelon", "$tpp", "$status", "$status_date", "$updated_at");
        var status = Prepared(tx.Command(InsertEmployeeStatus), "$nip", "$status", "$date", "$recorded_at");
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var e in chunk)
        {
            var current = e.Current;
            employee.Run(e.Nip, DemoDataGenerator.RegencyCode, e.Name, e.Office.Code, e.KelasJabatan, (int)e.EmploymentType,
                (int)e.Echelon, e.TppCeilingRupiah, (int)current.Status, DateText(current.EffectiveDate), nowMs);
            foreach (var change in e.History)
                status.Run(e.Nip, (int)change.Status, DateText(change.EffectiveDate), nowMs);
        }
        return chunk.Length;
    }

    private static int WritePurchases(WriteTransaction tx, DemoPurchase[] chunk, string[] merchantIds, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var entry = Prepared(tx.Command(InsertLedgerEntry), "$id", "$regency", "$kind", "$nip", "$office", "$merchant",
            "$amount", "$occurred_at", "$period", "$receipt_kind", "$receipt", "$evidence", "$recorded_by", "$recorded_at");
        var claim = Prepared(tx.Command(InsertReceiptClaim), "$merchant", "$receipt", "$entry");
        foreach (var p in chunk)
        {
            var id = Guid.CreateVersion7().ToString("N");
            var merchantId = merchantIds[p.MerchantIndex];
            entry.Run(id, DemoDataGenerator.RegencyCode, (int)EntryKind.Purchase, p.EmployeeNip, p.OfficeCode, merchantId,
                p.AmountRupiah, p.OccurredAt.ToUnixTimeMilliseconds(), Period.Containing(p.OccurredAt).Key, (int)p.ReceiptKind,
                p.ReceiptReference, p.EvidenceSha256, DemoDataGenerator.RecordedBy, nowMs);
            claim.Run(merchantId, p.ReceiptReference, id);
        }
        return chunk.Length;
    }

    private static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static PreparedInsert Prepared(SqliteCommand command, params string[] names) => new(command, names);

    /// <summary>A prepared command whose parameters are set by position (no lookup by name per row).</summary>
    private readonly struct PreparedInsert
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;

        public PreparedInsert(SqliteCommand command, string[] names)
        {
            _command = command;
            _parameters = new SqliteParameter[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                var index = command.Parameters.IndexOf(names[i]);
                _parameters[i] = index >= 0 ? command.Parameters[index] : command.Parameters.AddWithValue(names[i], DBNull.Value);
            }
        }

        public void Run(params ReadOnlySpan<object?> values)
        {
            for (var i = 0; i < values.Length; i++) _parameters[i].Value = values[i] ?? DBNull.Value;
            _command.ExecuteNonQuery();
        }
    }
}
