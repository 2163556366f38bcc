using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Data.Postgres;
using EBakul.Hub.Errors;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Domain.Roster;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Ledger;

/// <summary>A ledger entry with what is known of it now: the reversal that voided it, if any.</summary>
public sealed record LedgerEntryView(LedgerEntry Entry, string? VoidedByEntryId);

/// <summary>A recorded purchase, and whether it can count toward its month's quota (said at recording, never left to surprise).</summary>
public sealed record RecordedPurchase(LedgerEntry Entry, PurchaseEligibility Eligibility);

/// <summary>The result of one item of a batch: the recorded purchase, or why it was refused.</summary>
public sealed record RecordAttempt(RecordedPurchase? Recorded, HubException? Refusal);

/// <summary>
/// The append-only purchase ledger. Writes run inside the <see cref="DatabaseWriter"/> with prepared SQL (this
/// is the hot path of month-end bursts); every rule that needs the database is decided there, in the same
/// transaction as the insert:
/// <list type="bullet">
/// <item>the merchant must belong to the regency and have been ACTIVE at the purchase's moment; the employee must be on its
/// roster and in service (ACTIVE or ON_LEAVE) on the purchase's date: a purchase is judged as it stood when it was made,
/// so it may be recorded late (until its month is closed) whatever has changed since;</item>
/// <item>the receipt is claimed in <c>receipt_claims</c> (primary key merchant + <see cref="ReceiptReferences.Key"/>), so the same
/// receipt counts once however many requests race for it; a void releases the claim;</item>
/// <item>a reversal is unique per purchase (unique index), so a purchase is voided at most once.</item>
/// </list>
/// </summary>
public sealed class PurchaseLedger(TimeProvider clock, LedgerAppendSignal appended, PolicyOfMonth policies)
{
    // What recording a purchase needs to know, in one statement, each as it stood at the purchase's moment: the buyer
    // (regency, office on the purchase's date, status on that date, the office the month counts under), the merchant
    // (regency, status at the purchase's moment, category, scale) and the month's state. A column is NULL when its row is
    // missing. The status on the date is read straight from the timeline while it has one change at most (0 when that
    // change comes after the date: not yet in service); with more, corrections may have rewritten it, and
    // StatusTimeline resolves it the way the evaluation does (column 9 counts the changes). Column 10 says whether the
    // receipt is claimed already.
    private static readonly string FactsSql =
        "SELECT e.regency_code, " + EmployeeAssignments.OfficeOnDateSql("$nip", "$date") + ", " +
        "COALESCE((SELECT c.status FROM employee_status_changes AS c WHERE c.nip = $nip AND c.effective_date <= $date " +
        "ORDER BY c.effective_date DESC, c.id DESC LIMIT 1), " +
        "CASE WHEN EXISTS (SELECT 1 FROM employee_status_changes AS c WHERE c.nip = $nip) THEN 0 ELSE e.status END), " +
        "m.regency_code, " +
        "(SELECT s.status FROM merchant_status_changes AS s WHERE s.merchant_id = $merchant AND s.effective_at <= $occurred " +
        "ORDER BY s.effective_at DESC, s.id DESC LIMIT 1), " +
        "p.status, " + EmployeeAssignments.OfficeInMonthSql("$nip", "$period") + ", m.category, m.scale, " +
        "(SELECT count(*) FROM employee_status_changes AS c WHERE c.nip = $nip), " +
        "(SELECT count(*) FROM receipt_claims AS r WHERE r.merchant_id = $merchant AND r.receipt_reference = $reference) " +
        "FROM (SELECT 1) AS one " +
        "LEFT JOIN employees AS e ON e.nip = $nip " +
        "LEFT JOIN merchants AS m ON m.id = $merchant " +
        "LEFT JOIN period_states AS p ON p.regency_code = $regency AND p.period_key = $period";
    private const string StatusChangesSql = "SELECT status, effective_date, id FROM employee_status_changes WHERE nip = $nip";
    private static readonly string MonthOfficeSql = "SELECT " + EmployeeAssignments.OfficeInMonthSql("$nip", "$period");
    private const string PeriodStatusSql = "SELECT status FROM period_states WHERE regency_code = $regency AND period_key = $period";
    // The receipt's claim by a purchase, once its facts said it is free: the writer's lock keeps it free until the commit,
    // and the primary key would refuse a second claim (failing the write) should anything get past that.
    private const string ClaimSql =
        "INSERT INTO receipt_claims (merchant_id, receipt_reference, entry_id) VALUES ($merchant, $reference, $entry)";
    private const string ReleaseSql =
        "DELETE FROM receipt_claims WHERE merchant_id = $merchant AND receipt_reference = $reference AND entry_id = $entry";
    private const string InsertSql =
        "INSERT INTO ledger_entries (id, regency_code, kind, employee_nip, office_code, merchant_id, amount_rupiah, occurred_at, " +
        "period_key, receipt_kind, receipt_reference, evidence_sha256, recorded_by, recorded_at, reverses_entry_id, reason) " +
        "VALUES ($id, $regency, $kind, $nip, $office, $merchant, $amount, $occurred, $period, $receiptKind, $receipt, $evidence, " +
        "$recordedBy, $recordedAt, $reverses, $reason) ON CONFLICT DO NOTHING RETURNING sequence";
    // A purchase's entry, its sequence taken ahead with its reads (StoreDialect.NextKeySql): the insert answers nothing
    // and waits to go with the next statement.
    private const string InsertPurchaseSql =
        "INSERT INTO ledger_entries (sequence, id, regency_code, kind, employee_nip, office_code, merchant_id, amount_rupiah, occurred_at, " +
        "period_key, receipt_kind, receipt_reference, evidence_sha256, recorded_by, recorded_at) " +
        "VALUES ($sequence, $id, $regency, $kind, $nip, $office, $merchant, $amount, $occurred, $period, $receiptKind, $receipt, $evidence, " +
        "$recordedBy, $recordedAt)";
    private const string EntrySql =
        "SELECT sequence, id, regency_code, kind, employee_nip, office_code, merchant_id, amount_rupiah, occurred_at, period_key, " +
        "receipt_kind, receipt_reference, evidence_sha256, recorded_by, recorded_at, reverses_entry_id, reason " +
        "FROM ledger_entries WHERE id = $id";

    /// <summary>
    /// What recording a purchase reads before it decides: its facts (<see cref="FactsSql"/>) and what its month's
    /// aggregates need (<see cref="ReportAggregates.ReadAheadForPurchase"/>). Started together
    /// (<see cref="WriterStatement.ReadAhead"/>), so that on PostgreSQL they take one round trip, with the request id's
    /// lookup when the caller starts them after it (<see cref="IdempotentWrites"/>). The entry's sequence is taken among
    /// them (<see cref="StoreDialect.NextKeySql"/>): a purchase refused, or answered from an earlier run, leaves that number
    /// unused on PostgreSQL, a gap no reader waits for (feeds read "after a sequence").
    /// </summary>
    public sealed class PurchaseReads
    {
        internal WriterRowsAhead Facts { get; init; } = null!;
        internal WriterRowsAhead Sequence { get; init; } = null!;
        internal ReportAggregates.PurchaseReads Aggregates { get; init; } = null!;
    }

    /// <summary>Starts the reads of <see cref="Record(WriteTransaction, string, PurchaseInput, CallerIdentity, PurchaseReads)"/>.</summary>
    public static PurchaseReads ReadAhead(WriteTransaction tx, string regencyCode, PurchaseInput input)
    {
        var occurredAt = TruncateToMilliseconds(input.OccurredAt!.Value);
        var period = Period.Containing(occurredAt);
        return new PurchaseReads
        {
            Facts = tx.Command(FactsSql)
                .Bind("$nip", input.EmployeeNip).Bind("$merchant", input.MerchantId).Bind("$regency", regencyCode).Bind("$period", period.Key)
                .Bind("$date", DateText(Period.DateOf(occurredAt)))
                .Bind("$occurred", occurredAt.ToUnixTimeMilliseconds())
                .Bind("$reference", ReceiptReferences.Key(input.DisplayedReceiptReference))
                .ReadAhead(),
            Aggregates = ReportAggregates.ReadAheadForPurchase(tx, regencyCode, period, input.EmployeeNip, input.MerchantId),
            Sequence = tx.Command(tx.Store.NextKeySql("ledger_entries", "sequence")).ReadAhead(),
        };
    }

    /// <summary>
    /// Records one purchase inside a write. Throws <see cref="HubException"/> when a rule refuses it (nothing is written
    /// then). A purchase that is recorded but cannot count (its merchant's category or scale is not counted by the month's
    /// policy) says so in <see cref="RecordedPurchase.Eligibility"/>.
    /// </summary>
    public RecordedPurchase Record(WriteTransaction tx, string regencyCode, PurchaseInput input, CallerIdentity caller) =>
        Record(tx, regencyCode, input, caller, ReadAhead(tx, regencyCode, input));

    /// <summary>
    /// Records one purchase inside a write, from the reads started for it (<see cref="ReadAhead"/>, in the same write and
    /// with nothing written between). On PostgreSQL those reads are the purchase's only round trip: every statement it
    /// writes waits to go with the next one.
    /// </summary>
    public RecordedPurchase Record(WriteTransaction tx, string regencyCode, PurchaseInput input, CallerIdentity caller, PurchaseReads reads)
    {
        var occurredAt = TruncateToMilliseconds(input.OccurredAt!.Value);
        var period = Period.Containing(occurredAt);
        var date = Period.DateOf(occurredAt);
        string? employeeRegency, officeOnDate, monthOffice, merchantRegency;
        int statusOnDate;
        long statusChanges;
        bool receiptClaimed;
        MerchantStatus? merchantStatus;
        PeriodStatus? periodStatus;
        MerchantCategory category;
        MerchantScale scale;
        {
            var facts = reads.Facts.Rows;
            facts.Read();
            employeeRegency = facts.IsDBNull(0) ? null : facts.GetString(0);
            officeOnDate = facts.IsDBNull(1) ? null : facts.GetString(1);
            statusOnDate = facts.IsDBNull(2) ? 0 : facts.GetInt32(2);
            merchantRegency = facts.IsDBNull(3) ? null : facts.GetString(3);
            merchantStatus = facts.IsDBNull(4) ? null : (MerchantStatus)facts.GetInt32(4);
            periodStatus = facts.IsDBNull(5) ? null : (PeriodStatus)facts.GetInt32(5);
            monthOffice = facts.IsDBNull(6) ? null : facts.GetString(6);
            (category, scale) = facts.IsDBNull(7) ? default : ((MerchantCategory)facts.GetInt32(7), (MerchantScale)facts.GetInt32(8));
            statusChanges = facts.GetInt64(9);
            receiptClaimed = facts.GetInt64(10) > 0;
        }

        var found = employeeRegency == regencyCode;
        // An office sees the purchases of its employees' days with it, and of the months that count under it.
        caller.RequireOwnOffice(!found ? null : caller.OfficeCode == monthOffice ? monthOffice : officeOnDate, $"NIP {input.EmployeeNip}");
        if (!found)
            throw HubException.NotFound("EMPLOYEE_NOT_ON_ROSTER", $"NIP {input.EmployeeNip} is not on the roster of regency {regencyCode}");
        var officeCode = officeOnDate!;
        if (statusChanges > 1) statusOnDate = (int?)StatusOn(tx, input.EmployeeNip, date) ?? 0;
        switch (statusOnDate)
        {
            case (int)EmployeeStatus.Left:
                throw HubException.FailedPrecondition("EMPLOYEE_LEFT",
                    $"NIP {input.EmployeeNip} had left the regency's service by {date:yyyy-MM-dd}, the date of the purchase");
            case 0:
                throw HubException.FailedPrecondition("EMPLOYEE_NOT_YET_IN_SERVICE",
                    $"NIP {input.EmployeeNip} was not in the regency's service on {date:yyyy-MM-dd}, the date of the purchase");
        }

        if (merchantRegency != regencyCode)
            throw HubException.NotFound("MERCHANT_NOT_FOUND", $"merchant '{input.MerchantId}' is not registered in regency {regencyCode}");
        // One rule for recording and counting: the merchant's status at the purchase's moment decides.
        if (merchantStatus != MerchantStatus.Active)
            throw HubException.FailedPrecondition("MERCHANT_NOT_ACTIVE",
                $"merchant '{input.MerchantId}' was {(merchantStatus is { } status ? Describe(status) : "not yet registered")} at the time of the purchase; " +
                "purchases are recorded only at merchants verified and active when they were made");
        RequireOpen(regencyCode, period, periodStatus);
        var eligibility = policies.Eligibility(tx, regencyCode, period, category, scale);

        var id = Guid.CreateVersion7().ToString("N");
        var reference = input.DisplayedReceiptReference;
        if (receiptClaimed)
            throw HubException.AlreadyExists("RECEIPT_ALREADY_RECORDED",
                $"receipt '{reference}' is already recorded at merchant '{input.MerchantId}' (receipts are compared as " +
                $"'{ReceiptReferences.Key(reference)}'); the same receipt never counts twice");

        var entry = new LedgerEntry
        {
            Id = id,
            RegencyCode = regencyCode,
            Kind = EntryKind.Purchase,
            EmployeeNip = input.EmployeeNip,
            OfficeCode = officeCode,
            MerchantId = input.MerchantId,
            AmountRupiah = input.AmountRupiah,
            OccurredAt = occurredAt,
            PeriodKey = period.Key,
            ReceiptKind = input.ReceiptKind!.Value,
            ReceiptReference = reference,
            EvidenceSha256 = input.EvidenceSha256.Length == 0 ? null : input.EvidenceSha256,
            RecordedBy = caller.Id,
            RecordedAt = TruncateToMilliseconds(clock.GetUtcNow()),
        };
        ClaimReceipt(tx, input.MerchantId, reference, id);
        using (var sequence = reads.Sequence.Rows)
        {
            sequence.Read();
            entry.Sequence = sequence.GetInt64(0);
        }
        BindEntry(tx.Command(InsertPurchaseSql), entry).Bind("$sequence", entry.Sequence).ExecuteDeferred();
        tx.OnCommitted(appended.Notify);
        ReportAggregates.AddPurchase(tx, policies, regencyCode, period, monthOffice!, input.EmployeeNip, input.MerchantId, input.AmountRupiah,
            reads.Aggregates);
        return new RecordedPurchase(entry, eligibility);
    }

    /// <summary>
    /// Records several purchases inside one write, each on its own: a refused item writes nothing and does not
    /// stop the others (every check before the receipt claim only reads, and the claim is the first write).
    /// </summary>
    public IReadOnlyList<RecordAttempt> RecordMany(WriteTransaction tx, string regencyCode, IReadOnlyList<PurchaseInput?> inputs, CallerIdentity caller)
    {
        var attempts = new List<RecordAttempt>(inputs.Count);
        foreach (var input in inputs)
        {
            if (input is null)
            {
                attempts.Add(new RecordAttempt(null, null));
                continue;
            }
            try
            {
                attempts.Add(new RecordAttempt(Record(tx, regencyCode, input, caller), null));
            }
            catch (HubException refusal)
            {
                attempts.Add(new RecordAttempt(null, refusal));
            }
        }
        return attempts;
    }

    /// <summary>Voids a purchase by appending its reversal; returns (reversal, original).</summary>
    public (LedgerEntry Reversal, LedgerEntry Original) Void(WriteTransaction tx, string regencyCode, string purchaseId, string reason, CallerIdentity caller)
    {
        LedgerEntry original;
        using (var reader = tx.Command(EntrySql).Bind("$id", purchaseId).ExecuteReader())
        {
            var found = reader.Read() && reader.GetString(2) == regencyCode;
            if (!found)
            {
                caller.RequireOwnOffice(null, $"purchase '{purchaseId}'");
                throw HubException.NotFound("PURCHASE_NOT_FOUND", $"purchase '{purchaseId}' is not in the ledger of regency {regencyCode}");
            }
            original = ReadEntry(reader);
        }
        if (caller.IsOfficeBound && original.OfficeCode != caller.OfficeCode)
        {
            var monthOffice = (string?)tx.Command(MonthOfficeSql).Bind("$nip", original.EmployeeNip).Bind("$period", original.PeriodKey).ExecuteScalar();
            caller.RequireOwnOffice(monthOffice, $"purchase '{purchaseId}'");
        }
        if (original.Kind != EntryKind.Purchase)
            throw HubException.FailedPrecondition("REVERSAL_NOT_VOIDABLE", $"'{purchaseId}' is a reversal entry; only purchases can be voided");
        RequireOpen(tx, regencyCode, Period.FromKey(original.PeriodKey));

        var reversal = new LedgerEntry
        {
            Id = Guid.CreateVersion7().ToString("N"),
            RegencyCode = regencyCode,
            Kind = EntryKind.Reversal,
            EmployeeNip = original.EmployeeNip,
            OfficeCode = original.OfficeCode,
            MerchantId = original.MerchantId,
            AmountRupiah = -original.AmountRupiah,
            OccurredAt = original.OccurredAt,
            PeriodKey = original.PeriodKey,
            ReceiptKind = original.ReceiptKind,
            ReceiptReference = original.ReceiptReference,
            EvidenceSha256 = original.EvidenceSha256,
            RecordedBy = caller.Id,
            RecordedAt = TruncateToMilliseconds(clock.GetUtcNow()),
            ReversesEntryId = original.Id,
            Reason = reason,
        };
        var appended = TryAppend(tx, reversal)
            ?? throw HubException.FailedPrecondition("PURCHASE_ALREADY_VOIDED", $"purchase '{purchaseId}' is already voided");
        tx.Command(ReleaseSql)
            .Bind("$merchant", original.MerchantId).Bind("$reference", ReceiptReferences.Key(original.ReceiptReference)).Bind("$entry", original.Id)
            .ExecuteNonQuery();
        ReportAggregates.RemovePurchase(tx, policies, regencyCode, Period.FromKey(original.PeriodKey), original.EmployeeNip, original.MerchantId,
            original.AmountRupiah, original.OccurredAt);
        return (appended, original);
    }

    /// <summary>One entry of a regency, or null; only one <paramref name="visibleToOffice"/> sees when given.</summary>
    public static async Task<LedgerEntryView?> FindAsync(HubDbContext db, string regencyCode, string entryId, string? visibleToOffice, CancellationToken cancellationToken)
    {
        var entries = db.LedgerEntries.Where(e => e.Id == entryId && e.RegencyCode == regencyCode);
        if (visibleToOffice is not null) entries = VisibleToOffice(db, entries, visibleToOffice);
        return await WithVoids(db, entries).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Filters for <see cref="ListAsync"/>; null matches everything. <see cref="OfficeCode"/> keeps what that office sees
    /// (<see cref="VisibleToOffice"/>).
    /// </summary>
    public sealed record ListFilter(string RegencyCode, string? EmployeeNip, string? MerchantId, string? OfficeCode, Period? Period);

    /// <summary>Entries after <paramref name="afterSequence"/> in ledger order, at most <paramref name="limit"/>.</summary>
    public static async Task<List<LedgerEntryView>> ListAsync(HubDbContext db, ListFilter filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        // An employee's entries are found through the month index (regency, month, employee, …), one seek per month of the
        // regency's ledger: the ledger keeps no index of its own by employee (one fewer written by every purchase). SQLite is
        // told so: left to itself it would walk the regency's ledger in sequence order to spare the sort.
        var entries = filter.EmployeeNip is null ? db.LedgerEntries
            : db.LedgerEntries.FromSqlRaw(db is PostgresHubDbContext ? PostgresSql.Translate(ByMonthIndexSql) : ByMonthIndexSql);
        var query = entries.Where(e => e.RegencyCode == filter.RegencyCode && e.Sequence > afterSequence);
        if (filter.EmployeeNip is not null)
        {
            query = query.Where(e => e.EmployeeNip == filter.EmployeeNip);
            if (filter.Period is null)
            {
                var months = await MonthsOfLedgerAsync(db, filter.RegencyCode, cancellationToken);
                query = query.Where(e => EF.Constant(months).Contains(e.PeriodKey));
            }
        }
        if (filter.MerchantId is not null) query = query.Where(e => e.MerchantId == filter.MerchantId);
        if (filter.OfficeCode is not null) query = VisibleToOffice(db, query, filter.OfficeCode);
        if (filter.Period is { } period) query = query.Where(e => e.PeriodKey == period.Key);
        return await WithVoids(db, query.OrderBy(e => e.Sequence).Take(limit)).ToListAsync(cancellationToken);
    }

    private const string ByMonthIndexSql =
        "SELECT * FROM ledger_entries INDEXED BY ix_ledger_entries_regency_code_period_key_employee_nip_merchant_id_occurred_at_amount_rupiah";

    /// <summary>Every month from the regency's first entry's to its last entry's (keys), each read from the month index's end.</summary>
    private static async Task<List<int>> MonthsOfLedgerAsync(HubDbContext db, string regencyCode, CancellationToken cancellationToken)
    {
        var entries = db.LedgerEntries.Where(e => e.RegencyCode == regencyCode);
        var first = await entries.MinAsync(e => (int?)e.PeriodKey, cancellationToken);
        var last = await entries.MaxAsync(e => (int?)e.PeriodKey, cancellationToken);
        var months = new List<int>();
        if (first is null || last is null) return months;
        for (var month = Period.FromKey(first.Value); month.Key <= last.Value; month = month.Next) months.Add(month.Key);
        return months;
    }

    /// <summary>
    /// The change feed's read: entries of a regency (and optionally what one office sees) after a sequence, as appended
    /// (no void state: a void arrives as its own reversal entry).
    /// </summary>
    public static Task<List<LedgerEntry>> ReadFeedAsync(HubDbContext db, string regencyCode, string? officeCode, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var query = db.LedgerEntries.AsNoTracking().Where(e => e.RegencyCode == regencyCode && e.Sequence > afterSequence);
        if (officeCode is not null) query = VisibleToOffice(db, query, officeCode);
        return query.OrderBy(e => e.Sequence).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The entries an office sees (docs/access.md): those made while the employee belonged to it (the entry's
    /// <c>office_code</c>, the office on the purchase's date), and those of the employee's months that count under it
    /// (the office of the assignment in force on the month's last day, <see cref="EmployeeAssignments"/>). No other office
    /// sees them: after a move, the old office keeps the purchases of its days and sees none of the new office's months.
    /// </summary>
    public static IQueryable<LedgerEntry> VisibleToOffice(HubDbContext db, IQueryable<LedgerEntry> entries, string officeCode) =>
        entries.Where(e => e.OfficeCode == officeCode
            || (db.EmployeeAssignments.Where(a => a.Nip == e.EmployeeNip && a.EffectivePeriodKey <= e.PeriodKey)
                    .OrderByDescending(a => a.EffectivePeriodKey).ThenByDescending(a => a.EffectiveDate).ThenByDescending(a => a.Id)
                    .Select(a => a.OfficeCode).FirstOrDefault()
                ?? db.Employees.Where(x => x.Nip == e.EmployeeNip).Select(x => x.OfficeCode).FirstOrDefault()) == officeCode);

    /// <summary>Waits until entries may have been appended (or the timeout passes).</summary>
    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken) => appended.WaitAsync(timeout, cancellationToken);

    // The reversal of each entry, found through the unique index on reverses_entry_id (which holds reversals only). Said
    // "not null" explicitly: compared alone, EF Core adds "OR (reverses_entry_id IS NULL AND id IS NULL)" for the
    // correlated id, which neither store can answer from that index: every row returned scanned the whole ledger.
    private static IQueryable<LedgerEntryView> WithVoids(HubDbContext db, IQueryable<LedgerEntry> entries) =>
        entries.AsNoTracking().Select(e => new LedgerEntryView(e,
            db.LedgerEntries.Where(r => r.ReversesEntryId != null && r.ReversesEntryId == e.Id).Select(r => r.Id).FirstOrDefault()));

    /// <summary>The employee's status on a date as the quota evaluation resolves it (<see cref="StatusTimeline"/>); null before their service.</summary>
    private static EmployeeStatus? StatusOn(WriteTransaction tx, string nip, DateOnly date)
    {
        var changes = new List<EmployeeStatusChange>();
        using (var rows = tx.Command(StatusChangesSql).Bind("$nip", nip).ExecuteReader())
        {
            while (rows.Read())
            {
                changes.Add(new EmployeeStatusChange
                {
                    Nip = nip, Status = (EmployeeStatus)rows.GetInt32(0),
                    EffectiveDate = DateOnly.ParseExact(rows.GetString(1), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                    Id = rows.GetInt64(2),
                });
            }
        }
        return new StatusTimeline(changes).StatusOn(date);
    }

    private static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Claims a receipt of a merchant for an entry inside a write, under its <see cref="ReceiptReferences.Key"/>, once the
    /// caller has found it free: the claim goes with the next statement (<see cref="WriterStatement.ExecuteDeferred"/>).
    /// </summary>
    internal static void ClaimReceipt(WriteTransaction tx, string merchantId, string receiptReference, string entryId) =>
        tx.Command(ClaimSql).Bind("$merchant", merchantId).Bind("$reference", ReceiptReferences.Key(receiptReference)).Bind("$entry", entryId)
            .ExecuteDeferred();

    /// <summary>Binds the columns every insert of an entry writes (<see cref="InsertSql"/>, <see cref="InsertPurchaseSql"/>).</summary>
    private static WriterStatement BindEntry(WriterStatement insert, LedgerEntry entry) => insert
            .Bind("$id", entry.Id)
            .Bind("$regency", entry.RegencyCode)
            .Bind("$kind", (int)entry.Kind)
            .Bind("$nip", entry.EmployeeNip)
            .Bind("$office", entry.OfficeCode)
            .Bind("$merchant", entry.MerchantId)
            .Bind("$amount", entry.AmountRupiah)
            .Bind("$occurred", entry.OccurredAt.ToUnixTimeMilliseconds())
            .Bind("$period", entry.PeriodKey)
            .Bind("$receiptKind", (int)entry.ReceiptKind)
            .Bind("$receipt", entry.ReceiptReference)
            .Bind("$evidence", entry.EvidenceSha256)
            .Bind("$recordedBy", entry.RecordedBy)
            .Bind("$recordedAt", entry.RecordedAt.ToUnixTimeMilliseconds());

    /// <summary>Inserts an entry inside a write and sets its sequence; the entry's id must be new.</summary>
    internal LedgerEntry Append(WriteTransaction tx, LedgerEntry entry) =>
        TryAppend(tx, entry) ?? throw new InvalidOperationException($"ledger entry {entry.Id} conflicted on insert");

    private LedgerEntry? TryAppend(WriteTransaction tx, LedgerEntry entry)
    {
        var sequence = BindEntry(tx.Command(InsertSql), entry).Bind("$reverses", entry.ReversesEntryId).Bind("$reason", entry.Reason).ExecuteScalar();
        if (sequence is null) return null;
        tx.OnCommitted(appended.Notify);
        entry.Sequence = (long)sequence;
        return entry;
    }

    private static LedgerEntry ReadEntry(WriterRows r) => new()
    {
        Sequence = r.GetInt64(0),
        Id = r.GetString(1),
        RegencyCode = r.GetString(2),
        Kind = (EntryKind)r.GetInt32(3),
        EmployeeNip = r.GetString(4),
        OfficeCode = r.GetString(5),
        MerchantId = r.GetString(6),
        AmountRupiah = r.GetInt64(7),
        OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        PeriodKey = r.GetInt32(9),
        ReceiptKind = (ReceiptKind)r.GetInt32(10),
        ReceiptReference = r.GetString(11),
        EvidenceSha256 = r.IsDBNull(12) ? null : r.GetString(12),
        RecordedBy = r.GetString(13),
        RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)),
        ReversesEntryId = r.IsDBNull(15) ? null : r.GetString(15),
        Reason = r.IsDBNull(16) ? null : r.GetString(16),
    };

    /// <summary>
    /// Refuses changes to a month that is being closed or is closed: after the close nothing changes that month's
    /// result except an explicit correction (<see cref="Payroll.PeriodClosing.OpenCorrection"/>).
    /// </summary>
    private static void RequireOpen(WriteTransaction tx, string regencyCode, Period period) =>
        RequireOpen(regencyCode, period,
            tx.Command(PeriodStatusSql).Bind("$regency", regencyCode).Bind("$period", period.Key).ExecuteScalar() is long value ? (PeriodStatus)value : null);

    private static void RequireOpen(string regencyCode, Period period, PeriodStatus? status)
    {
        if (status is PeriodStatus.Closing or PeriodStatus.Closed)
            throw HubException.FailedPrecondition("PERIOD_CLOSED",
                $"{period} is {PeriodClosing.Describe(status.Value)} for regency {regencyCode}; a change needs an explicit correction (PayrollService.OpenCorrection)");
    }

    private static string Describe(MerchantStatus status) => status switch
    {
        MerchantStatus.PendingVerification => "pending verification",
        MerchantStatus.Suspended => "suspended",
        _ => status.ToString(),
    };

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset instant) =>
        DateTimeOffset.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());
}
