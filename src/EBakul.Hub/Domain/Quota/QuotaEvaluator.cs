using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// Evaluates the quota for a month, as of now: one employee in full detail, or every employee of a regency (or of one
/// office) as a stream ordered by NIP, and the compliance sums built on that stream.
/// <para>
/// The regency evaluation is set-based. Three queries run side by side on one read snapshot, each ordered by NIP:
/// the employees (with their granted exemption joined in), their status timelines, and the month's ledger summed per
/// employee and merchant. They are merged employee by employee, so memory holds one employee at a time whatever the
/// size of the regency (besides a map of its merchants), and no query runs per employee. None of the three sorts: the employees come in NIP order from
/// their index, and the ledger's (regency, month, employee, merchant, occurrence, amount) index serves the sums alone,
/// already grouped. Which sums count is decided per merchant from a map of the regency's merchants read once (does
/// its category and scale count, was it ACTIVE when the month began); only purchases at the few merchants whose status
/// changed during the month are summed by their status at their own moment, in a fourth, small query. (A join of the
/// ledger to the merchants in SQL costs a B-tree search per purchase, which for ten million purchases was most of the
/// evaluation's time.)
/// </para>
/// <para>
/// Closing a month evaluates the regency in NIP ranges side by side (<see cref="EvaluateRegencyInPartsAsync"/>).
/// </para>
/// <para>
/// Voided purchases need no join: a reversal carries the purchase's employee, merchant, occurrence time and month with
/// the amount negated, so it is eligible exactly when its purchase is, and the sums net it out.
/// </para>
/// <para>
/// The stream and the compliance sums cover the employees in service (ACTIVE or ON_LEAVE) on at least one day of the
/// month, by the office of the assignment in force on the month's last day; employees who left before the month or start
/// after it are not part of the month.
/// </para>
/// </summary>
public sealed class QuotaEvaluator(HubDbContext db, QuotaPolicies policies)
{
    /// <summary>The merchant's status at the moment of the ledger entry <c>e</c>, from <c>merchant_status_changes</c>.</summary>
    private const string MerchantStatusAtPurchase =
        "(SELECT s.status FROM merchant_status_changes s WHERE s.merchant_id = e.merchant_id AND s.effective_at <= e.occurred_at " +
        "ORDER BY s.effective_at DESC, s.id DESC LIMIT 1)";

    /// <summary>
    /// The employees with the assignment in force on the month's last day (office, class, type, echelon, TPP ceiling:
    /// the roster as it stood in the month, <see cref="EmployeeAssignments"/>) and their granted exemption.
    /// </summary>
    private static readonly string EmployeesSql =
        "SELECT emp.nip, COALESCE(a.office_code, emp.office_code), COALESCE(a.kelas_jabatan, emp.kelas_jabatan), " +
        "COALESCE(a.employment_type, emp.employment_type), COALESCE(a.echelon, emp.echelon), " +
        "COALESCE(a.tpp_ceiling_rupiah, emp.tpp_ceiling_rupiah), emp.status, emp.status_effective_date, x.reason " +
        "FROM employees emp " +
        "LEFT JOIN employee_assignments a ON a.id = " + EmployeeAssignments.InForceInMonthIdSql("emp.nip", "$period") + " " +
        "LEFT JOIN quota_exemptions x ON x.regency_code = emp.regency_code AND x.nip = emp.nip AND x.period_key = $period AND x.revoked_at IS NULL " +
        "WHERE {0} ORDER BY emp.nip";

    /// <summary>
    /// SQL: the employee <c>emp</c>'s month counts under <c>$office</c>. The first part (an office it has or ever had) lets
    /// the roster's and the history's office indexes find the candidates.
    /// </summary>
    private static readonly string InMonthOffice =
        "(emp.office_code = $office OR emp.nip IN (SELECT h.nip FROM employee_assignments h WHERE h.office_code = $office)) AND " +
        EmployeeAssignments.OfficeInMonthSql("emp.nip", "$period") + " = $office";

    /// <summary>
    /// The status timelines, each change marked with whether the month sees it (column 4): a month that is closing or closed
    /// sees only the changes its close saw (<see cref="MonthFreeze"/>).
    /// </summary>
    private const string TimelinesSql =
        "SELECT c.nip, c.status, c.effective_date, c.id, CASE WHEN c.id <= $frozenStatus THEN 1 ELSE 0 END " +
        "FROM employee_status_changes c JOIN employees emp ON emp.nip = c.nip " +
        "WHERE {0} ORDER BY emp.nip";

    /// <summary>
    /// SQL: the merchant <c>m</c>'s category and scale as the month sees them: the current ones, or for a month that is
    /// closing or closed the ones its close saw (the value a later change replaced, <see cref="MerchantAttributeChange"/>).
    /// </summary>
    private const string CategoryForMonth =
        "COALESCE((SELECT h.category_before FROM merchant_attribute_changes h WHERE h.merchant_id = m.id AND h.id > $frozenMerchant " +
        "ORDER BY h.id LIMIT 1), m.category)";
    private const string ScaleForMonth =
        "COALESCE((SELECT h.scale_before FROM merchant_attribute_changes h WHERE h.merchant_id = m.id AND h.id > $frozenMerchant " +
        "ORDER BY h.id LIMIT 1), m.scale)";

    /// <summary>
    /// The regency's merchants as the month sees them: does its category and scale count, was it ACTIVE when the month
    /// began, did its status change during the month. Only purchases at a merchant whose status changed within the month
    /// need the status at their own moment (<see cref="ChangedMerchantTotalsSql"/>).
    /// </summary>
    private const string MonthMerchantsSql =
        "SELECT m.id, CASE WHEN " + CategoryForMonth + " IN ({0}) AND " + ScaleForMonth + " IN ({1}) THEN 1 ELSE 0 END AS counts, " +
        "CASE WHEN (SELECT s.status FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.effective_at < $start " +
        "ORDER BY s.effective_at DESC, s.id DESC LIMIT 1) = 2 THEN 1 ELSE 0 END AS active_at_start, " +
        "CASE WHEN EXISTS (SELECT 1 FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.effective_at >= $start AND s.effective_at < $end) THEN 1 ELSE 0 END AS changes_in_month " +
        "FROM merchants m WHERE {2}";

    /// <summary>
    /// The month's ledger summed per employee and merchant, in NIP order, straight from the ledger's (regency, month,
    /// employee, merchant, …) index: no join and no sort. Which sums count is decided per merchant in memory.
    /// </summary>
    private const string MerchantTotalsSql =
        "SELECT e.employee_nip, e.merchant_id, SUM(e.amount_rupiah) FROM ledger_entries e " +
        "WHERE e.regency_code = $regency AND e.period_key = $period {0} " +
        "GROUP BY e.employee_nip, e.merchant_id ORDER BY e.employee_nip, e.merchant_id";

    /// <summary>
    /// The eligible sums at merchants whose status changed during the month, per employee and merchant: each purchase
    /// counts when the merchant was ACTIVE at its moment. Read through the ledger's merchant index, merchant by merchant.
    /// </summary>
    private const string ChangedMerchantTotalsSql =
        "SELECT e.employee_nip, e.merchant_id, SUM(CASE WHEN " + MerchantStatusAtPurchase + " = 2 THEN e.amount_rupiah ELSE 0 END), " +
        "SUM(CASE WHEN " + MerchantStatusAtPurchase + " = 2 THEN " + StandingCount + " ELSE 0 END) " +
        "FROM ledger_entries e INDEXED BY ix_ledger_entries_regency_code_merchant_id_sequence " +
        "WHERE e.regency_code = $regency AND e.merchant_id IN (SELECT m.id FROM merchants m WHERE m.regency_code = $regency " +
        "AND EXISTS (SELECT 1 FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.effective_at >= $start AND s.effective_at < $end)) " +
        "AND e.period_key = $period {0} " +
        "GROUP BY e.employee_nip, e.merchant_id";

    /// <summary>
    /// As <see cref="ChangedMerchantTotalsSql"/>, at every merchant, for the few employees of a <see cref="NipRange.Only"/>
    /// filter: read through their month's index (only the sums at merchants that changed within the month are used).
    /// </summary>
    private const string SelectedEmployeesStatusTotalsSql =
        "SELECT e.employee_nip, e.merchant_id, SUM(CASE WHEN " + MerchantStatusAtPurchase + " = 2 THEN e.amount_rupiah ELSE 0 END), " +
        "SUM(CASE WHEN " + MerchantStatusAtPurchase + " = 2 THEN " + StandingCount + " ELSE 0 END) " +
        "FROM ledger_entries e WHERE e.regency_code = $regency AND e.period_key = $period {0} " +
        "GROUP BY e.employee_nip, e.merchant_id";

    /// <summary>SQL: +1 for a purchase, -1 for a reversal (amounts are positive for purchases, negated for reversals).</summary>
    private const string StandingCount = "(CASE WHEN e.amount_rupiah > 0 THEN 1 ELSE -1 END)";

    private const string EmployeeEntriesSql =
        "SELECT e.id, e.kind, e.merchant_id, e.amount_rupiah, e.occurred_at, e.reverses_entry_id, e.receipt_reference, e.reason, " +
        "m.name, " + CategoryForMonth + ", " + ScaleForMonth + ", " + MerchantStatusAtPurchase + " AS status_at_time " +
        "FROM ledger_entries e JOIN merchants m ON m.id = e.merchant_id " +
        "WHERE e.regency_code = $regency AND e.period_key = $period AND e.employee_nip = $nip " +
        "ORDER BY e.occurred_at, e.sequence";

    /// <summary>
    /// Every employee's result for a month, ordered by NIP; only <paramref name="officeCode"/>'s employees when given.
    /// FAILED_PRECONDITION <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// </summary>
    public async IAsyncEnumerable<EmployeeEvaluation> EvaluateRegencyAsync(
        string regencyCode, Period period, string? officeCode, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(regencyCode, period, cancellationToken);
        await using var snapshot = (await OpenSnapshotsAsync(1, null, cancellationToken))[0];
        var freeze = MonthFreeze.Read(snapshot[0], regencyCode, period);
        var merchants = ReadMonthMerchants(snapshot, policy, regencyCode, period, freeze);
        foreach (var evaluation in EvaluateRange(snapshot, policy, merchants, regencyCode, period, officeCode, NipRange.All, freeze, cancellationToken))
            yield return evaluation;
    }

    /// <summary>
    /// The results of some employees of a month, read in one snapshot: <paramref name="select"/> is called first inside it
    /// (on its connection and transaction, with the policy in force) and names the NIPs to evaluate, or null for every
    /// employee of the regency. NIPs outside the regency or not in service in the month have no result.
    /// FAILED_PRECONDITION <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// </summary>
    public async Task<(QuotaPolicy Policy, List<EmployeeEvaluation> Evaluations)> EvaluateSelectedAsync(string regencyCode, Period period,
        Func<DbConnection, DbTransaction, QuotaPolicy, IReadOnlyCollection<string>?> select, CancellationToken cancellationToken)
    {
        const int NipsPerQuery = 500;
        var policy = await RequirePolicyAsync(regencyCode, period, cancellationToken);
        await using var snapshot = (await OpenSnapshotsAsync(1, null, cancellationToken))[0];
        var nips = select(snapshot[0].Connection, snapshot[0].Transaction, policy);
        var freeze = MonthFreeze.Read(snapshot[0], regencyCode, period);
        var evaluations = new List<EmployeeEvaluation>();
        if (nips is null)
        {
            var merchants = ReadMonthMerchants(snapshot, policy, regencyCode, period, freeze);
            evaluations.AddRange(EvaluateRange(snapshot, policy, merchants, regencyCode, period, null, NipRange.All, freeze, cancellationToken));
            return (policy, evaluations);
        }
        foreach (var chunk in nips.Order(StringComparer.Ordinal).Chunk(NipsPerQuery))
        {
            var range = new NipRange(null, null, chunk);
            var merchants = ReadMonthMerchants(snapshot, policy, regencyCode, period, freeze, range);
            evaluations.AddRange(EvaluateRange(snapshot, policy, merchants, regencyCode, period, null, range, freeze, cancellationToken));
        }
        return (policy, evaluations);
    }

    /// <summary>
    /// Every employee's result for a month, ordered by NIP, for closing the month: the regency's NIPs are cut into
    /// <paramref name="parts"/> ranges of about the same size, evaluated side by side, each on a connection of its own.
    /// The parts see exactly the same data, as one snapshot would (<see cref="StoreDialect.OpenSharedSnapshotsAsync"/>: on
    /// SQLite they begin inside one write of <paramref name="writer"/>, on PostgreSQL they share an exported snapshot).
    /// </summary>
    public async Task<List<EmployeeEvaluation>> EvaluateRegencyInPartsAsync(
        string regencyCode, Period period, int parts, DatabaseWriter writer, CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(regencyCode, period, cancellationToken);
        var ranges = await CutNipRangesAsync(regencyCode, Math.Max(1, parts), cancellationToken);
        var snapshots = await OpenSnapshotsAsync(ranges.Count, writer, cancellationToken);
        try
        {
            // Read once for every part: their snapshots are the same.
            var freeze = MonthFreeze.Read(snapshots[0][0], regencyCode, period);
            var merchants = ReadMonthMerchants(snapshots[0], policy, regencyCode, period, freeze);
            var evaluations = ranges.Select((range, i) => Task.Factory.StartNew(
                () => EvaluateRange(snapshots[i], policy, merchants, regencyCode, period, null, range, freeze, cancellationToken).ToList(),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
            // Every part ends (or fails) before its connections are closed below.
            var results = await Task.WhenAll(evaluations);
            var all = new List<EmployeeEvaluation>(results.Sum(r => r.Count));
            foreach (var part in results) all.AddRange(part);
            return all;
        }
        finally
        {
            foreach (var snapshot in snapshots) await snapshot.DisposeAsync();
        }
    }

    /// <summary>
    /// One read snapshot, on as many connections as the store needs to run the evaluation's three NIP-ordered queries side
    /// by side: one SQLite connection runs them all; a PostgreSQL connection runs one query at a time, so there each query
    /// has a connection of its own, all three on one exported snapshot.
    /// </summary>
    private sealed class ReadSnapshot(List<(DbConnection Connection, DbTransaction Transaction)> lanes) : IAsyncDisposable
    {
        /// <summary>The connection and transaction for the evaluation's query number <paramref name="lane"/> (0 to 2).</summary>
        public (DbConnection Connection, DbTransaction Transaction) this[int lane] => lanes[lane % lanes.Count];

        public async ValueTask DisposeAsync()
        {
            foreach (var (connection, transaction) in lanes)
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <paramref name="parts"/> read snapshots that all see the same data, each for <paramref name="queries"/> queries
    /// read side by side.
    /// </summary>
    private async Task<List<ReadSnapshot>> OpenSnapshotsAsync(int parts, DatabaseWriter? writer, CancellationToken cancellationToken, int queries = 3)
    {
        var store = StoreDialect.Of(db);
        var lanesPerPart = store.Provider == DatabaseProvider.Postgres ? queries : 1;
        List<(DbConnection Connection, DbTransaction Transaction)> lanes;
        if (writer is null && parts == 1 && store.Provider == DatabaseProvider.Sqlite)
        {
            var connection = await store.OpenReadConnectionAsync(cancellationToken);
            lanes = [(connection, StoreDialect.BeginReadSnapshot(connection))];
        }
        else
        {
            lanes = await store.OpenSharedSnapshotsAsync(parts * lanesPerPart, writer!, cancellationToken);
        }
        return [.. lanes.Chunk(lanesPerPart).Select(part => new ReadSnapshot([.. part]))];
    }

    /// <summary>
    /// A range of NIPs: from <see cref="From"/> (inclusive) up to <see cref="To"/> (exclusive); null is open. With
    /// <see cref="Only"/>, just those NIPs.
    /// </summary>
    private sealed record NipRange(string? From, string? To, IReadOnlyList<string>? Only = null)
    {
        public static readonly NipRange All = new(null, null);

        public string EmployeeFilter(string column) =>
            (From is null ? "" : $" AND {column} >= $from") + (To is null ? "" : $" AND {column} < $to") +
            (Only is null ? "" : $" AND {column} IN ({string.Join(",", Only.Select((_, i) => "$nip" + i.ToString(CultureInfo.InvariantCulture)))})");
    }

    /// <summary>Cuts the regency's NIPs, in order, into <paramref name="parts"/> ranges of about the same number of employees.</summary>
    private async Task<List<NipRange>> CutNipRangesAsync(string regencyCode, int parts, CancellationToken cancellationToken)
    {
        var count = await db.Employees.CountAsync(e => e.RegencyCode == regencyCode, cancellationToken);
        var bounds = new List<string>();
        for (var k = 1; k < parts && count >= parts; k++)
        {
            var bound = await db.Employees.Where(e => e.RegencyCode == regencyCode).OrderBy(e => e.Nip)
                .Skip((int)((long)count * k / parts)).Select(e => e.Nip).FirstAsync(cancellationToken);
            if (bounds.Count == 0 || string.CompareOrdinal(bounds[^1], bound) < 0) bounds.Add(bound);
        }
        var ranges = new List<NipRange>();
        string? from = null;
        foreach (var bound in bounds)
        {
            ranges.Add(new NipRange(from, bound));
            from = bound;
        }
        ranges.Add(new NipRange(from, null));
        return ranges;
    }

    /// <summary>
    /// The results of the employees in <paramref name="range"/> (and <paramref name="officeCode"/> when given), in NIP
    /// order, read inside <paramref name="snapshot"/>; <paramref name="merchants"/> was read in the same snapshot.
    /// </summary>
    private static IEnumerable<EmployeeEvaluation> EvaluateRange(ReadSnapshot snapshot, QuotaPolicy policy,
        IReadOnlyDictionary<string, MonthMerchant> merchants, string regencyCode, Period period, string? officeCode, NipRange range,
        MonthFreeze freeze, CancellationToken cancellationToken)
    {
        var employeeFilter = "emp.regency_code = $regency" + (officeCode is null ? "" : " AND " + InMonthOffice) + range.EmployeeFilter("emp.nip");
        var ledgerFilter = (officeCode is null
            ? ""
            : "AND e.employee_nip IN (SELECT emp.nip FROM employees emp WHERE emp.regency_code = $regency AND " + InMonthOffice + ")") + range.EmployeeFilter("e.employee_nip");

        var changedSums = ReadChangedMerchantSums(snapshot, regencyCode, period, officeCode, range, ledgerFilter);

        using var employees = Command(snapshot[0], string.Format(CultureInfo.InvariantCulture, EmployeesSql, employeeFilter), regencyCode, period, officeCode, range: range);
        using var timelines = Command(snapshot[1], string.Format(CultureInfo.InvariantCulture, TimelinesSql, employeeFilter), regencyCode, period, officeCode, range: range, freeze: freeze);
        using var totals = Command(snapshot[2], string.Format(CultureInfo.InvariantCulture, MerchantTotalsSql, ledgerFilter), regencyCode, period, officeCode, range: range);

        using var employeeRows = employees.ExecuteReader();
        var timelineRows = new NipOrderedRows(timelines.ExecuteReader(), cancellationToken);
        var totalRows = new NipOrderedRows(totals.ExecuteReader(), cancellationToken);
        using var timelineReader = timelineRows.Reader;
        using var totalsReader = totalRows.Reader;
        var timeline = new List<EmployeeStatusChange>(4);
        var eligibleByMerchant = new List<long>(16);

        while (employeeRows.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var employee = ReadEmployee(employeeRows);
            var nip = employee.Nip;

            timeline.Clear();
            var recorded = false;
            for (; timelineRows.SeekTo(nip); timelineRows.Advance())
            {
                recorded = true;
                if (SeenByMonth(timelineRows.Reader)) timeline.Add(ReadStatusChange(timelineRows.Reader));
            }
            eligibleByMerchant.Clear();
            for (; totalRows.SeekTo(nip); totalRows.Advance())
            {
                // Purchases at a merchant outside the regency never count (the ledger refuses them anyway).
                var merchantId = totalRows.Reader.GetString(1);
                if (!merchants.TryGetValue(merchantId, out var merchant)) continue;
                eligibleByMerchant.Add(
                    !merchant.Counts ? 0
                    : merchant.ChangesInMonth ? changedSums.GetValueOrDefault((nip, merchantId)).Amount
                    : merchant.ActiveAtStart ? totalRows.Reader.GetInt64(2)
                    : 0);
            }

            var days = EmploymentDays.Count(TimelineOrCurrent(timeline, recorded, employee), period);
            if (days.InService == 0) continue;
            var obligation = new EmployeeObligation(policy, employee, period, days);
            long counted = 0;
            foreach (var eligible in eligibleByMerchant) counted += obligation.CountAtMerchant(eligible);
            yield return obligation.Conclude(counted);
        }
    }

    /// <summary>How a merchant stands for the month being evaluated (see <see cref="MonthMerchantsSql"/>).</summary>
    private readonly record struct MonthMerchant(bool Counts, bool ActiveAtStart, bool ChangesInMonth);

    private static Dictionary<string, MonthMerchant> ReadMonthMerchants(ReadSnapshot snapshot, QuotaPolicy policy,
        string regencyCode, Period period, MonthFreeze freeze, NipRange? buyers = null)
    {
        // Only the merchants the given employees bought from in the month, when they are few: found from their ledger
        // entries (the "|| ''" keeps the regency's merchant index, which would read them all, out of the plan).
        var scope = buyers?.Only is null ? "m.regency_code = $regency"
            : "m.id IN (SELECT e.merchant_id FROM ledger_entries e WHERE e.regency_code = $regency AND e.period_key = $period" +
              buyers.EmployeeFilter("e.employee_nip") + ") AND m.regency_code || '' = $regency";
        var sql = string.Format(CultureInfo.InvariantCulture, MonthMerchantsSql, InList(policy.CountedCategories), InList(policy.CountedScales), scope);
        using var command = Command(snapshot[0], sql, regencyCode, period, null, range: buyers, freeze: freeze);
        using var rows = command.ExecuteReader();
        var merchants = new Dictionary<string, MonthMerchant>(StringComparer.Ordinal);
        while (rows.Read())
            merchants[rows.GetString(0)] = new MonthMerchant(rows.GetInt64(1) == 1, !rows.IsDBNull(2) && rows.GetInt64(2) == 1, rows.GetInt64(3) == 1);
        return merchants;
    }

    private static Dictionary<(string Nip, string MerchantId), (long Amount, long Count)> ReadChangedMerchantSums(ReadSnapshot snapshot,
        string regencyCode, Period period, string? officeCode, NipRange range, string ledgerFilter)
    {
        // For a few employees, their own entries of the month (each with the merchant's status at its moment) cost less
        // than every entry of the merchants that changed.
        var sql = range.Only is null ? ChangedMerchantTotalsSql : SelectedEmployeesStatusTotalsSql;
        using var command = Command(snapshot[0], string.Format(CultureInfo.InvariantCulture, sql, ledgerFilter),
            regencyCode, period, officeCode, range: range);
        using var rows = command.ExecuteReader();
        var sums = new Dictionary<(string, string), (long, long)>();
        while (rows.Read()) sums[(rows.GetString(0), rows.GetString(1))] = (rows.GetInt64(2), rows.GetInt64(3));
        return sums;
    }

    /// <summary>
    /// One employee's result with the per-merchant breakdown and every purchase that did not count in full.
    /// NOT_FOUND <c>EMPLOYEE_NOT_FOUND</c> when the NIP is not on the regency's roster; FAILED_PRECONDITION
    /// <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// </summary>
    public async Task<EmployeeEvaluationDetail> EvaluateEmployeeAsync(string regencyCode, string nip, Period period, CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(regencyCode, period, cancellationToken);
        await using (var snapshot = (await OpenSnapshotsAsync(1, null, cancellationToken, queries: 1))[0])
        {
            const string filter = "emp.regency_code = $regency AND emp.nip = $nip";
            var freeze = MonthFreeze.Read(snapshot[0], regencyCode, period);

            EmployeeFacts employee;
            using (var command = Command(snapshot[0], string.Format(CultureInfo.InvariantCulture, EmployeesSql, filter), regencyCode, period, null, nip))
            await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await rows.ReadAsync(cancellationToken))
                    throw HubException.NotFound("EMPLOYEE_NOT_FOUND", $"NIP {nip} is not on the roster of regency {regencyCode}");
                employee = ReadEmployee(rows);
            }

            var timeline = new List<EmployeeStatusChange>();
            var recorded = false;
            using (var command = Command(snapshot[0], string.Format(CultureInfo.InvariantCulture, TimelinesSql, filter), regencyCode, period, null, nip, freeze: freeze))
            await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    recorded = true;
                    if (SeenByMonth(rows)) timeline.Add(ReadStatusChange(rows));
                }
            }

            var entries = new List<EntryAtTime>();
            using (var command = Command(snapshot[0], EmployeeEntriesSql, regencyCode, period, null, nip, freeze: freeze))
            await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    entries.Add(new EntryAtTime(
                        rows.GetString(0), (EntryKind)rows.GetInt32(1), rows.GetString(2), rows.GetInt64(3),
                        DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(4)), rows.IsDBNull(5) ? null : rows.GetString(5),
                        rows.GetString(6), rows.IsDBNull(7) ? null : rows.GetString(7), rows.GetString(8),
                        (MerchantCategory)rows.GetInt32(9), (MerchantScale)rows.GetInt32(10),
                        rows.IsDBNull(11) ? null : (MerchantStatus)rows.GetInt32(11)));
                }
            }

            var obligation = new EmployeeObligation(policy, employee, period, EmploymentDays.Count(TimelineOrCurrent(timeline, recorded, employee), period));
            return Explain(policy, obligation, entries);
        }
    }

    /// <summary>The compliance of the regency (with one summary per office), or of one office when <paramref name="officeCode"/> is given.</summary>
    public async Task<RegencyCompliance> SummarizeAsync(string regencyCode, Period period, string? officeCode, CancellationToken cancellationToken)
    {
        var policy = await RequirePolicyAsync(regencyCode, period, cancellationToken);
        var total = new ComplianceTally(regencyCode, officeCode, period, policy.Version);
        var offices = new SortedDictionary<string, ComplianceTally>(StringComparer.Ordinal);
        await foreach (var evaluation in EvaluateRegencyAsync(regencyCode, period, officeCode, cancellationToken))
        {
            total.Add(evaluation);
            if (!offices.TryGetValue(evaluation.OfficeCode, out var office))
                offices[evaluation.OfficeCode] = office = new ComplianceTally(regencyCode, evaluation.OfficeCode, period, policy.Version);
            office.Add(evaluation);
        }
        return new RegencyCompliance(total.ToSummary(), [.. offices.Values.Select(o => o.ToSummary())]);
    }

    /// <summary>
    /// The office the employee's month counts under (the assignment in force on its last day), or null when the NIP is
    /// not on the regency's roster.
    /// </summary>
    public Task<string?> OfficeOfAsync(string regencyCode, string nip, Period period, CancellationToken cancellationToken) =>
        EmployeeAssignments.OfficeInMonthAsync(db, regencyCode, nip, period, cancellationToken);

    /// <summary>NOT_FOUND <c>OFFICE_NOT_FOUND</c> unless the office is known to the regency (named by the roster or holding employees).</summary>
    public async Task RequireOfficeAsync(string regencyCode, string officeCode, CancellationToken cancellationToken)
    {
        if (await db.Offices.AnyAsync(o => o.RegencyCode == regencyCode && o.Code == officeCode, cancellationToken)) return;
        if (await db.Employees.AnyAsync(e => e.RegencyCode == regencyCode && e.OfficeCode == officeCode, cancellationToken)) return;
        throw HubException.NotFound("OFFICE_NOT_FOUND", $"office '{officeCode}' is not known in regency {regencyCode}");
    }

    /// <summary>
    /// Walks the employee's entries in occurrence order: voided purchases, purchases at a merchant not active at the
    /// time, of an excluded category or scale do not count; eligible purchases count at their merchant until the cap,
    /// the one crossing it in part.
    /// </summary>
    private static EmployeeEvaluationDetail Explain(QuotaPolicy policy, EmployeeObligation obligation, List<EntryAtTime> entries)
    {
        var voids = entries.Where(e => e.Kind == EntryKind.Reversal && e.ReversesEntryId is not null)
            .ToDictionary(e => e.ReversesEntryId!, StringComparer.Ordinal);
        var merchants = new SortedDictionary<string, (string Name, long Spent, long Eligible, long Counted)>(StringComparer.Ordinal);
        var purchases = new List<PurchaseCount>();
        long counted = 0;

        foreach (var entry in entries.Where(e => e.Kind == EntryKind.Purchase))
        {
            merchants.TryGetValue(entry.MerchantId, out var merchant);
            merchant.Name = entry.MerchantName;
            // What counted of the purchase and, when not all of it, why (reason null and no explanation when it counted in full).
            PurchaseCount Count(UncountedReason? reason, string explanation, long countedPart = 0) => new(
                entry.Id, entry.MerchantId, entry.MerchantName, entry.OccurredAt, entry.AmountRupiah, countedPart, reason, explanation,
                entry.ReceiptReference, entry.Category, entry.Scale, entry.MerchantStatusAtTime == MerchantStatus.Active,
                voids.ContainsKey(entry.Id));

            if (voids.TryGetValue(entry.Id, out var reversal))
            {
                purchases.Add(Count(UncountedReason.Voided, $"voided by reversal {reversal.Id}: {reversal.Reason}"));
            }
            else if (entry.MerchantStatusAtTime != MerchantStatus.Active)
            {
                merchant.Spent += entry.AmountRupiah;
                purchases.Add(Count(UncountedReason.MerchantNotActiveAtTime, entry.MerchantStatusAtTime is { } status
                    ? $"merchant '{entry.MerchantName}' was {EnumNames.UpperSnake(status)} at the time of the purchase"
                    : $"merchant '{entry.MerchantName}' was not yet registered at the time of the purchase"));
            }
            else if (!policy.CountedCategories.Contains(entry.Category))
            {
                merchant.Spent += entry.AmountRupiah;
                purchases.Add(Count(UncountedReason.CategoryExcluded,
                    $"category {EnumNames.UpperSnake(entry.Category)} does not count under policy version {policy.Version}"));
            }
            else if (!policy.CountedScales.Contains(entry.Scale))
            {
                merchant.Spent += entry.AmountRupiah;
                purchases.Add(Count(UncountedReason.ScaleExcluded,
                    $"scale {EnumNames.UpperSnake(entry.Scale)} does not count under policy version {policy.Version}"));
            }
            else
            {
                merchant.Spent += entry.AmountRupiah;
                merchant.Eligible += entry.AmountRupiah;
                var countedHere = obligation.CountAtMerchant(merchant.Eligible) - merchant.Counted;
                merchant.Counted += countedHere;
                counted += countedHere;
                if (countedHere < entry.AmountRupiah)
                {
                    purchases.Add(Count(UncountedReason.OverMerchantCap,
                        string.Create(CultureInfo.InvariantCulture,
                            $"at most Rp{obligation.MerchantCap:N0} counts at one merchant ({policy.MerchantCapBasisPoints} bps of Rp{obligation.Required:N0}); " +
                            $"Rp{countedHere:N0} of Rp{entry.AmountRupiah:N0} counted"), countedHere));
                }
                else
                {
                    purchases.Add(Count(null, "", countedHere));
                }
            }
            merchants[entry.MerchantId] = merchant;
        }

        var breakdown = merchants.Select(m => new MerchantBreakdown(m.Key, m.Value.Name, m.Value.Spent, m.Value.Eligible, m.Value.Counted)).ToList();
        return new EmployeeEvaluationDetail(obligation.Conclude(counted), policy, breakdown, purchases);
    }

    private async Task<QuotaPolicy> RequirePolicyAsync(string regencyCode, Period period, CancellationToken cancellationToken) =>
        await policies.InForceAsync(regencyCode, period, cancellationToken)
        ?? throw HubException.FailedPrecondition("QUOTA_POLICY_NOT_IN_FORCE",
            $"regency {regencyCode} has no quota policy in force for {period}: there is nothing to evaluate");

    /// <summary>
    /// The timeline the month sees, or the employee's current status as its only change when the roster recorded no change
    /// at all. An employee whose every change came after the month's close (<paramref name="recorded"/> but none seen) was
    /// not on the roster the close saw: an empty timeline, no day in service.
    /// </summary>
    private static IReadOnlyList<EmployeeStatusChange> TimelineOrCurrent(List<EmployeeStatusChange> timeline, bool recorded, EmployeeFacts employee) =>
        timeline.Count > 0 || recorded ? timeline
        : [new EmployeeStatusChange { Nip = employee.Nip, Status = employee.Status, EffectiveDate = employee.StatusEffectiveDate }];

    /// <summary>Whether the month sees the status change on the reader's row (column 4 of <see cref="TimelinesSql"/>).</summary>
    private static bool SeenByMonth(DbDataReader rows) => Convert.ToInt64(rows.GetValue(4), CultureInfo.InvariantCulture) == 1;

    /// <summary>
    /// What a month sees of the roster's and the registry's changes. A month that is closing or closed sees only those its
    /// close saw: the status changes and the merchant category and scale changes up to the positions the close recorded
    /// when it began (<see cref="Payroll.PeriodState.FrozenStatusChangeId"/>). Any other month, and a month closed before
    /// those positions were kept, sees every change.
    /// </summary>
    private readonly record struct MonthFreeze(long StatusChangeId, long MerchantChangeId)
    {
        public static readonly MonthFreeze None = new(long.MaxValue, long.MaxValue);

        private const string Sql =
            "SELECT status, frozen_status_change_id, frozen_merchant_change_id FROM period_states WHERE regency_code = $regency AND period_key = $period";

        /// <summary>The month's freeze, read in the evaluation's own snapshot.</summary>
        public static MonthFreeze Read((DbConnection Connection, DbTransaction Transaction) lane, string regencyCode, Period period)
        {
            using var command = StoreDialect.Command(lane.Connection, lane.Transaction, Sql);
            StoreDialect.AddParameter(command, "$regency", regencyCode);
            StoreDialect.AddParameter(command, "$period", period.Key);
            using var row = command.ExecuteReader();
            if (!row.Read()) return None;
            var status = (Payroll.PeriodStatus)Convert.ToInt32(row.GetValue(0), CultureInfo.InvariantCulture);
            if (status is not (Payroll.PeriodStatus.Closing or Payroll.PeriodStatus.Closed) || row.IsDBNull(1) || row.IsDBNull(2)) return None;
            return new MonthFreeze(row.GetInt64(1), row.GetInt64(2));
        }
    }

    private static EmployeeStatusChange ReadStatusChange(DbDataReader rows) => new()
    {
        Nip = rows.GetString(0),
        Status = (EmployeeStatus)rows.GetInt32(1),
        EffectiveDate = ReadDate(rows, 2),
        Id = rows.GetInt64(3),
    };

    private static DbCommand Command((DbConnection Connection, DbTransaction Transaction) lane, string sql,
        string regencyCode, Period period, string? officeCode, string? nip = null, NipRange? range = null, MonthFreeze? freeze = null)
    {
        var command = StoreDialect.Command(lane.Connection, lane.Transaction, sql);
        if (sql.Contains("$frozenStatus", StringComparison.Ordinal))
            StoreDialect.AddParameter(command, "$frozenStatus", (freeze ?? MonthFreeze.None).StatusChangeId);
        if (sql.Contains("$frozenMerchant", StringComparison.Ordinal))
            StoreDialect.AddParameter(command, "$frozenMerchant", (freeze ?? MonthFreeze.None).MerchantChangeId);
        StoreDialect.AddParameter(command, "$regency", regencyCode);
        StoreDialect.AddParameter(command, "$period", period.Key);
        StoreDialect.AddParameter(command, "$start", period.Start.ToUnixTimeMilliseconds());
        StoreDialect.AddParameter(command, "$end", period.End.ToUnixTimeMilliseconds());
        if (officeCode is not null) StoreDialect.AddParameter(command, "$office", officeCode);
        if (nip is not null) StoreDialect.AddParameter(command, "$nip", nip);
        if (range?.From is { } from) StoreDialect.AddParameter(command, "$from", from);
        if (range?.To is { } to) StoreDialect.AddParameter(command, "$to", to);
        if (range?.Only is { } only)
            for (var i = 0; i < only.Count; i++) StoreDialect.AddParameter(command, "$nip" + i.ToString(CultureInfo.InvariantCulture), only[i]);
        return StoreDialect.Announce(command);
    }

    private static EmployeeFacts ReadEmployee(DbDataReader rows) => new(
        rows.GetString(0), rows.GetString(1), rows.GetInt32(2), (EmploymentType)rows.GetInt32(3), (Echelon)rows.GetInt32(4),
        rows.GetInt64(5), (EmployeeStatus)rows.GetInt32(6), ReadDate(rows, 7), rows.IsDBNull(8) ? null : rows.GetString(8));

    /// <summary>A date stored as "yyyy-MM-dd" text.</summary>
    private static DateOnly ReadDate(DbDataReader rows, int ordinal)
    {
        var text = rows.GetString(ordinal);
        return text.Length == 10 && text[4] == '-' && text[7] == '-'
            ? new DateOnly(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2))
            : DateOnly.Parse(text, CultureInfo.InvariantCulture);
    }

    private static int Digits(string text, int start, int length)
    {
        var value = 0;
        for (var i = start; i < start + length; i++) value = value * 10 + (text[i] - '0');
        return value;
    }

    /// <summary>An SQL list of enum numbers (from a validated policy, never from a request).</summary>
    private static string InList<TEnum>(IEnumerable<TEnum> values) where TEnum : struct, Enum =>
        string.Join(",", values.Select(v => Convert.ToInt32(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)));

    /// <summary>Rows of a query ordered by NIP (in column 0), walked alongside the employees.</summary>
    private sealed class NipOrderedRows
    {
        private readonly CancellationToken _cancellationToken;
        private string? _nip;

        public NipOrderedRows(DbDataReader reader, CancellationToken cancellationToken)
        {
            Reader = reader;
            _cancellationToken = cancellationToken;
            Advance();
        }

        /// <summary>The reader, on the current row.</summary>
        public DbDataReader Reader { get; }

        /// <summary>Moves to the next row.</summary>
        public void Advance()
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _nip = Reader.Read() ? Reader.GetString(0) : null;
        }

        /// <summary>Skips rows of NIPs before <paramref name="nip"/>; whether the current row is one of <paramref name="nip"/>.</summary>
        public bool SeekTo(string nip)
        {
            while (_nip is not null && string.CompareOrdinal(_nip, nip) < 0) Advance();
            return _nip == nip;
        }
    }

    /// <summary>One ledger entry of the employee with its merchant as it was at the time of the purchase.</summary>
    private sealed record EntryAtTime(
        string Id, EntryKind Kind, string MerchantId, long AmountRupiah, DateTimeOffset OccurredAt, string? ReversesEntryId,
        string ReceiptReference, string? Reason, string MerchantName, MerchantCategory Category, MerchantScale Scale,
        MerchantStatus? MerchantStatusAtTime);
}
