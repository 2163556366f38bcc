using System.Data.Common;
using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Quota;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Each employee's quota evaluation of a month, kept (<see cref="ComplianceEmployeeMonth"/>) so that the compliance
/// report is a sum by office instead of an evaluation of the whole regency. Refreshed before each report from what changed
/// since the last refresh, with the evaluator itself (<see cref="QuotaEvaluator.EvaluateSelectedAsync"/>), so the rows are
/// by construction what the evaluation answers:
/// <list type="bullet">
/// <item>purchases and voids: the month's ledger entries after the held sequence (the ledger's feed order; sequences
/// become visible in order on both stores, docs/postgres.md), their employees evaluated again;</item>
/// <item>every other write an evaluation depends on (roster rows, status timelines, assignments, exemptions, merchants'
/// status, category and scale, quota policies) appends to <c>compliance_changes</c> through database triggers, in the
/// same transaction: the employees named there are evaluated again; a policy change (or more changed employees than
/// <see cref="MostEmployeesRefreshed"/>) evaluates the whole regency;</item>
/// <item>a month never built (or forgotten by <see cref="TrimChangesAsync"/>) is evaluated whole.</item>
/// </list>
/// <see cref="ComplianceSnapshotKeeper"/> refreshes the current and the previous month in the background, so that their
/// whole evaluations (a month's first, a new policy version) are not a report's.
/// The rows, the held positions and the policy version are written together in one write of the writer, only if no other
/// refresh wrote since they were read; the report then reads the rows. Nothing is added to a purchase's write.
/// </summary>
public sealed class ComplianceSnapshots(HubDbContext db, QuotaEvaluator evaluator, DatabaseWriter writer, TimeProvider clock,
    ILogger<ComplianceSnapshots> logger)
{
    /// <summary>Beyond this many changed employees, the whole regency is evaluated (one pass instead of many small ones).</summary>
    public const int MostEmployeesRefreshed = 50_000;

    /// <summary>Employees per DELETE statement when the rows of changed employees are replaced.</summary>
    private const int NipsPerDelete = 500;

    /// <summary>Rows per INSERT statement when the evaluations are written.</summary>
    private const int RowsPerInsert = 200;

    /// <summary>One refresh at a time in this process (refreshes of other processes are told apart by the held positions).</summary>
    private static readonly SemaphoreSlim Refreshing = new(1, 1);

    private const string HeldSql =
        "SELECT policy_version, ledger_sequence, change_id FROM compliance_months WHERE regency_code = @regency AND period_key = @period";

    private const string PolicyInForceSql =
        "SELECT version FROM quota_policies WHERE regency_code = @regency AND effective_period_key <= @period AND replaced_by_version IS NULL " +
        "ORDER BY effective_period_key DESC LIMIT 1";

    /// <summary>
    /// In one row: the policy version in force (<see cref="PolicyInForceSql"/>), the ledger's last sequence, the last
    /// <c>compliance_changes</c> id, and what the month holds (<see cref="HeldSql"/>; nulls when nothing).
    /// </summary>
    private const string PositionsSql =
        "SELECT (" + PolicyInForceSql + "), (SELECT MAX(sequence) FROM ledger_entries), (SELECT MAX(id) FROM compliance_changes), " +
        "(SELECT h.policy_version FROM compliance_months h WHERE h.regency_code = @regency AND h.period_key = @period), " +
        "(SELECT h.ledger_sequence FROM compliance_months h WHERE h.regency_code = @regency AND h.period_key = @period), " +
        "(SELECT h.change_id FROM compliance_months h WHERE h.regency_code = @regency AND h.period_key = @period)";

    /// <summary>
    /// The employees with ledger entries of the month in a range of sequences: read in the ledger's sequence order (the
    /// <c>|| ''</c> and <c>+ 0</c> keep the month's index, which would read the whole month, out of the plan).
    /// </summary>
    private const string ChangedByLedgerSql =
        "SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.sequence > @from AND e.sequence <= @to " +
        "AND e.regency_code || '' = @regency AND e.period_key + 0 = @period";

    private const string ChangedOtherwiseSql =
        "SELECT c.nip, c.regency_code FROM compliance_changes c WHERE c.id > @from AND c.id <= @to " +
        "AND (c.nip IS NOT NULL OR c.regency_code = @regency)";

    /// <summary>The held sums per office (<see cref="ComplianceOfficeMonth"/>), in the order of a <see cref="ComplianceSummary"/>'s columns.</summary>
    private const string OfficeSumsSql =
        "SELECT office_code, employee_count, exempt_count, no_tpp_count, compliant_count, non_compliant_count, required_rupiah, counted_rupiah, " +
        "shortfall_rupiah, projected_correction_rupiah FROM compliance_office_months " +
        "WHERE regency_code = @regency AND period_key = @period AND employee_count > 0 {0}";

    private const string AddToOfficeSql =
        "INSERT INTO compliance_office_months (regency_code, period_key, office_code, employee_count, exempt_count, no_tpp_count, compliant_count, " +
        "non_compliant_count, required_rupiah, counted_rupiah, shortfall_rupiah, projected_correction_rupiah) " +
        "VALUES (@regency, @period, @office, @employees, @exempt, @noTpp, @compliant, @nonCompliant, @required, @counted, @shortfall, @correction) " +
        "ON CONFLICT (regency_code, period_key, office_code) DO UPDATE SET " +
        "employee_count = compliance_office_months.employee_count + excluded.employee_count, " +
        "exempt_count = compliance_office_months.exempt_count + excluded.exempt_count, " +
        "no_tpp_count = compliance_office_months.no_tpp_count + excluded.no_tpp_count, " +
        "compliant_count = compliance_office_months.compliant_count + excluded.compliant_count, " +
        "non_compliant_count = compliance_office_months.non_compliant_count + excluded.non_compliant_count, " +
        "required_rupiah = compliance_office_months.required_rupiah + excluded.required_rupiah, " +
        "counted_rupiah = compliance_office_months.counted_rupiah + excluded.counted_rupiah, " +
        "shortfall_rupiah = compliance_office_months.shortfall_rupiah + excluded.shortfall_rupiah, " +
        "projected_correction_rupiah = compliance_office_months.projected_correction_rupiah + excluded.projected_correction_rupiah";

    /// <summary>
    /// The compliance of the regency (with one summary per office), or of one office: the figures of
    /// <see cref="QuotaEvaluator.SummarizeAsync"/>, from the refreshed rows. FAILED_PRECONDITION
    /// <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// </summary>
    public async Task<RegencyCompliance> SummarizeAsync(string regencyCode, Period period, string? officeCode, CancellationToken cancellationToken)
    {
        var policyVersion = await RefreshAsync(regencyCode, period, cancellationToken);
        var parameters = new Dictionary<string, object> { ["@regency"] = regencyCode, ["@period"] = period.Key };
        if (officeCode is not null) parameters["@office"] = officeCode;
        var offices = new List<ComplianceSummary>();
        await ReportSql.ReadAsync(db, string.Format(CultureInfo.InvariantCulture, OfficeSumsSql, officeCode is null ? "" : "AND office_code = @office"),
            parameters, rows => offices.Add(new ComplianceSummary(regencyCode, rows.GetString(0), period, policyVersion,
                rows.GetInt32(1), rows.GetInt32(2), rows.GetInt32(3), rows.GetInt32(4), rows.GetInt32(5),
                rows.GetInt64(6), rows.GetInt64(7), rows.GetInt64(8), rows.GetInt64(9))), cancellationToken);
        offices.Sort((a, b) => string.CompareOrdinal(a.OfficeCode, b.OfficeCode));
        var total = new ComplianceSummary(regencyCode, officeCode, period, policyVersion,
            offices.Sum(o => o.EmployeeCount), offices.Sum(o => o.ExemptCount), offices.Sum(o => o.NoTppCount), offices.Sum(o => o.CompliantCount),
            offices.Sum(o => o.NonCompliantCount), offices.Sum(o => o.TotalRequiredRupiah), offices.Sum(o => o.TotalCountedRupiah),
            offices.Sum(o => o.TotalShortfallRupiah), offices.Sum(o => o.TotalProjectedCorrectionRupiah));
        return new RegencyCompliance(total, offices);
    }

    /// <summary>
    /// Brings the month's rows up to date with everything committed so far; returns the policy version they hold.
    /// FAILED_PRECONDITION <c>QUOTA_POLICY_NOT_IN_FORCE</c> when the regency has no policy for the month.
    /// <paramref name="routine"/>: a background round (<see cref="ComplianceSnapshotKeeper"/>), whose refreshes of a few
    /// changed employees are logged at Debug (a whole evaluation is logged as always).
    /// </summary>
    public async Task<int> RefreshAsync(string regencyCode, Period period, CancellationToken cancellationToken, bool routine = false)
    {
        // Nothing committed since the last refresh (the usual case between the keeper's rounds): one statement says so.
        if (await UpToDateAsync(regencyCode, period, cancellationToken) is { } upToDate) return upToDate;
        await Refreshing.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var refresh = await TryRefreshAsync(regencyCode, period, routine, cancellationToken);
                if (refresh is { } version) return version;
                // Another process refreshed the month since it was read, or the policy changed meanwhile: read again.
            }
        }
        finally
        {
            Refreshing.Release();
        }
    }

    /// <summary>
    /// The policy version the month's rows hold when nothing was committed since they were refreshed (the policy in force
    /// is the one they were evaluated with, and neither the ledger's last sequence nor the last change id moved past their
    /// positions): what a refresh would find without writing. Null when a refresh must look.
    /// </summary>
    private async Task<int?> UpToDateAsync(string regencyCode, Period period, CancellationToken cancellationToken)
    {
        int? upToDate = null;
        await ReportSql.ReadAsync(db, PositionsSql, new Dictionary<string, object> { ["@regency"] = regencyCode, ["@period"] = period.Key }, rows =>
        {
            if (rows.IsDBNull(0) || rows.IsDBNull(3)) return;
            var held = new Held(rows.GetInt32(3), rows.GetInt64(4), rows.GetInt64(5));
            var ledgerTo = rows.IsDBNull(1) ? 0 : rows.GetInt64(1);
            var changesTo = rows.IsDBNull(2) ? 0 : rows.GetInt64(2);
            if (rows.GetInt64(0) == held.PolicyVersion && ledgerTo == held.LedgerSequence && changesTo <= held.ChangeId) upToDate = held.PolicyVersion;
        }, cancellationToken);
        return upToDate;
    }

    /// <summary>One refresh: the policy version held after it, or null when it must be tried again.</summary>
    private async Task<int?> TryRefreshAsync(string regencyCode, Period period, bool routine, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var selected = TimeSpan.Zero;
        Held? held = null;
        HashSet<string>? changed = null;
        long ledgerTo = 0, changesTo = 0;
        var policyMoved = false;
        var (policy, evaluations) = await evaluator.EvaluateSelectedAsync(regencyCode, period, (connection, transaction, policy) =>
        {
            // The policy was looked up before the snapshot began: it must still be the one in force inside it.
            // One statement (one round trip on PostgreSQL): the policy in force, the last ledger sequence and change id, what is held.
            long? policyInForce = null, lastChange = null;
            Read(connection, transaction, PositionsSql, regencyCode, period, 0, 0, rows =>
            {
                policyInForce = rows.IsDBNull(0) ? null : rows.GetInt64(0);
                ledgerTo = rows.IsDBNull(1) ? 0 : rows.GetInt64(1);
                lastChange = rows.IsDBNull(2) ? null : rows.GetInt64(2);
                if (!rows.IsDBNull(3)) held = new Held(rows.GetInt32(3), rows.GetInt64(4), rows.GetInt64(5));
            });
            policyMoved = policyInForce != policy.Version;
            // Trimmed (TrimChangesAsync) down to no row, the table still never gives an id twice (AUTOINCREMENT, a sequence):
            // the held position does not go back.
            changesTo = Math.Max(lastChange ?? 0, held?.ChangeId ?? 0);
            if (policyMoved) return [];
            if (held is null || held.PolicyVersion != policy.Version) return null;

            var nips = new HashSet<string>(StringComparer.Ordinal);
            var everyone = false;
            if (ledgerTo > held.LedgerSequence)
                Read(connection, transaction, ChangedByLedgerSql, regencyCode, period, held.LedgerSequence, ledgerTo, rows => nips.Add(rows.GetString(0)));
            if (changesTo > held.ChangeId)
            {
                Read(connection, transaction, ChangedOtherwiseSql, regencyCode, period, held.ChangeId, changesTo, rows =>
                {
                    if (rows.IsDBNull(0)) everyone = true;
                    else nips.Add(rows.GetString(0));
                });
            }
            selected = started.Elapsed;
            if (everyone || nips.Count > MostEmployeesRefreshed) return null;
            changed = nips;
            return nips;
        }, cancellationToken);
        if (policyMoved) return null;
        if (changed is { Count: 0 } && ledgerTo == held!.LedgerSequence && changesTo == held.ChangeId) return policy.Version;

        var evaluated = started.Elapsed;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var written = await writer.WriteAsync(tx => Write(tx, regencyCode, period, held, changed, evaluations, policy.Version, ledgerTo, changesTo, now),
            cancellationToken);
        logger.Log(routine && changed is not null ? LogLevel.Debug : LogLevel.Information,
            "Compliance evaluations of {Regency} {Period} refreshed: {Employees} employees evaluated again ({Scope}) in {Elapsed:F0} ms " +
            "(changes found {Selected:F0} ms, evaluated {Evaluated:F0} ms, written {Written:F0} ms){Outcome}",
            regencyCode, period, evaluations.Count, changed is null ? "whole regency" : "changed since the last refresh", started.Elapsed.TotalMilliseconds,
            selected.TotalMilliseconds, (evaluated - selected).TotalMilliseconds, (started.Elapsed - evaluated).TotalMilliseconds,
            written ? "" : "; another refresh wrote first, read again");
        return written ? policy.Version : null;
    }

    /// <summary>What a regency's month holds (<see cref="ComplianceMonth"/>).</summary>
    private sealed record Held(int PolicyVersion, long LedgerSequence, long ChangeId);

    /// <summary>
    /// Inside a write: replaces the rows of the <paramref name="changed"/> employees (all of the month's when null) with
    /// their <paramref name="evaluations"/>, and the held positions, unless another refresh wrote since
    /// <paramref name="held"/> was read.
    /// </summary>
    private static bool Write(WriteTransaction tx, string regencyCode, Period period, Held? held, HashSet<string>? changed,
        List<EmployeeEvaluation> evaluations, int policyVersion, long ledgerTo, long changesTo, long now)
    {
        Held? current = null;
        using (var rows = tx.Command(HeldSql).Bind("@regency", regencyCode).Bind("@period", period.Key).ExecuteReader())
            if (rows.Read()) current = new Held(rows.GetInt32(0), rows.GetInt64(1), rows.GetInt64(2));
        if (current != held) return false;

        // The office sums change by what leaves (the rows replaced) and what comes (the new evaluations).
        var sums = new Dictionary<string, ComplianceTally>(StringComparer.Ordinal);
        ComplianceTally TallyOf(string office)
        {
            if (!sums.TryGetValue(office, out var sum)) sums[office] = sum = new ComplianceTally(regencyCode, office, period, policyVersion);
            return sum;
        }
        if (changed is null)
        {
            foreach (var table in new[] { "compliance_employee_months", "compliance_office_months" })
                tx.Command($"DELETE FROM {table} WHERE regency_code = @regency AND period_key = @period")
                    .Bind("@regency", regencyCode).Bind("@period", period.Key).ExecuteNonQuery();
        }
        else
        {
            // Employees evaluated again lose their row first: one no longer in the month (or the regency) has no result.
            // Through the NIP index, named: SQLite's planner, without statistics, would read the month's range of the key.
            // In chunks: on PostgreSQL each statement is a round trip, and the writer serves nothing else meanwhile.
            foreach (var chunk in changed.Chunk(NipsPerDelete))
            {
                var statement = tx.Command(
                        "DELETE FROM compliance_employee_months INDEXED BY ix_compliance_employee_months_regency_code_period_key_nip " +
                        "WHERE regency_code = @regency AND period_key = @period AND nip IN (" +
                        string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@n" + i.ToString(CultureInfo.InvariantCulture))) + ") " +
                        "RETURNING office_code, outcome, required_rupiah, counted_rupiah, remaining_rupiah, projected_correction_rupiah")
                    .Bind("@regency", regencyCode).Bind("@period", period.Key);
                for (var i = 0; i < chunk.Length; i++) statement.Bind("@n" + i.ToString(CultureInfo.InvariantCulture), chunk[i]);
                using var removed = statement.ExecuteReader();
                while (removed.Read())
                    TallyOf(removed.GetString(0)).Add((QuotaOutcome)removed.GetInt32(1), removed.GetInt64(2), removed.GetInt64(3),
                        removed.GetInt64(4), removed.GetInt64(5), -1);
            }
        }
        foreach (var e in evaluations)
            TallyOf(e.OfficeCode).Add(e);
        foreach (var (office, tally) in sums)
        {
            var sum = tally.ToSummary();
            tx.Command(AddToOfficeSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", office)
                .Bind("@employees", sum.EmployeeCount).Bind("@exempt", sum.ExemptCount).Bind("@noTpp", sum.NoTppCount)
                .Bind("@compliant", sum.CompliantCount).Bind("@nonCompliant", sum.NonCompliantCount)
                .Bind("@required", sum.TotalRequiredRupiah).Bind("@counted", sum.TotalCountedRupiah)
                .Bind("@shortfall", sum.TotalShortfallRupiah).Bind("@correction", sum.TotalProjectedCorrectionRupiah).ExecuteDeferred();
        }
        foreach (var chunk in evaluations.Chunk(RowsPerInsert))
        {
            var statement = tx.Command(InsertSql(chunk.Length));
            for (var i = 0; i < chunk.Length; i++)
            {
                var e = chunk[i];
                var n = i.ToString(CultureInfo.InvariantCulture);
                statement.Bind("@r" + n, regencyCode).Bind("@p" + n, period.Key).Bind("@n" + n, e.Nip).Bind("@o" + n, e.OfficeCode)
                    .Bind("@x" + n, (int)e.Outcome).Bind("@q" + n, e.RequiredRupiah).Bind("@c" + n, e.CountedRupiah)
                    .Bind("@s" + n, e.RemainingRupiah).Bind("@j" + n, e.ProjectedCorrectionRupiah);
            }
            statement.ExecuteNonQuery();
        }
        tx.Command("INSERT INTO compliance_months (regency_code, period_key, policy_version, ledger_sequence, change_id, refreshed_at) " +
                   "VALUES (@regency, @period, @version, @ledger, @change, @now) ON CONFLICT (regency_code, period_key) DO UPDATE SET " +
                   "policy_version = @version, ledger_sequence = @ledger, change_id = @change, refreshed_at = @now")
            .Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@version", policyVersion).Bind("@ledger", ledgerTo)
            .Bind("@change", changesTo).Bind("@now", now).ExecuteNonQuery();
        // Changes every built month has taken into account are of no further use (a month never built is evaluated whole).
        tx.Command("DELETE FROM compliance_changes WHERE id <= (SELECT MIN(change_id) FROM compliance_months WHERE policy_version > 0)").ExecuteNonQuery();
        return true;
    }

    /// <summary>
    /// Deletes the <c>compliance_changes</c> that every month of <paramref name="kept"/> (the months refreshed in the
    /// background) has taken into account: ids up to the least change id they hold. A built month that still needs some
    /// of those (one no longer refreshed, its held change id below them, with a change in between) is forgotten in the same
    /// write: its held positions go, so that when asked for it is evaluated whole, as a month never built, instead of
    /// missing the deleted changes. A month listed but never built (policy version 0) is evaluated whole anyway and stays
    /// listed. Returns how many changes were deleted and how many months forgotten.
    /// </summary>
    public Task<(int Changes, int Months)> TrimChangesAsync(IReadOnlyList<(string RegencyCode, Period Period)> kept, CancellationToken cancellationToken)
    {
        if (kept.Count == 0) return Task.FromResult((0, 0));
        var months = string.Join(" OR ", kept.Select((_, i) => $"(regency_code = @r{i} AND period_key = @p{i})"));
        return writer.WriteAsync(tx =>
        {
            var least = tx.Command($"SELECT MIN(change_id) FROM compliance_months WHERE policy_version > 0 AND ({months})");
            for (var i = 0; i < kept.Count; i++)
                least.Bind("@r" + i.ToString(CultureInfo.InvariantCulture), kept[i].RegencyCode)
                    .Bind("@p" + i.ToString(CultureInfo.InvariantCulture), kept[i].Period.Key);
            if (least.ExecuteScalar() is not { } value || value is DBNull) return (0, 0);
            var upTo = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            var forgotten = tx.Command(
                    "DELETE FROM compliance_months WHERE policy_version <> 0 AND change_id < @upTo " +
                    "AND EXISTS (SELECT 1 FROM compliance_changes c WHERE c.id > compliance_months.change_id AND c.id <= @upTo)")
                .Bind("@upTo", upTo).ExecuteNonQuery();
            var deleted = tx.Command("DELETE FROM compliance_changes WHERE id <= @upTo").Bind("@upTo", upTo).ExecuteNonQuery();
            return (deleted, forgotten);
        }, cancellationToken);
    }

    private static string InsertSql(int rows) =>
        "INSERT INTO compliance_employee_months (regency_code, period_key, nip, office_code, outcome, required_rupiah, counted_rupiah, " +
        "remaining_rupiah, projected_correction_rupiah) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@r{i}, @p{i}, @n{i}, @o{i}, @x{i}, @q{i}, @c{i}, @s{i}, @j{i})"));

    private static void Read(DbConnection connection, DbTransaction transaction, string sql, string regencyCode, Period period,
        long from, long to, Action<DbDataReader> read)
    {
        using var command = StoreDialect.Command(connection, transaction, sql);
        StoreDialect.AddParameter(command, "@regency", regencyCode);
        StoreDialect.AddParameter(command, "@period", period.Key);
        if (sql.Contains("@from", StringComparison.Ordinal)) StoreDialect.AddParameter(command, "@from", from);
        if (sql.Contains("@to", StringComparison.Ordinal)) StoreDialect.AddParameter(command, "@to", to);
        using var rows = StoreDialect.Announce(command).ExecuteReader();
        while (rows.Read()) read(rows);
    }
}
