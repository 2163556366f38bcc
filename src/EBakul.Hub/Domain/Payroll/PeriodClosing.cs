using EBakul.Hub.Access;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Errors;
using EBakul.Hub.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// Closes a month and manages its corrections. A close runs in three steps so that nothing recorded before it
/// is missed and nothing is recorded after it:
/// <list type="number">
/// <item>the month is marked CLOSING (from that commit on the ledger refuses purchases and voids for it), and the
/// positions up to which it sees the roster's and the registry's changes are recorded (a closing or closed month is
/// evaluated as of them, <see cref="ClosedMonths"/>);</item>
/// <item>every employee of the regency is evaluated (set-based, by <see cref="QuotaEvaluator"/>), seeing every
/// ledger entry committed before step 1; a month that looks incomplete (<see cref="CloseGuardOptions"/>) is refused
/// here, unless confirmed, and goes back to what it was;</item>
/// <item>in one transaction: the results are frozen (<c>period_results</c>), one adjustment is created per
/// non-compliant employee (and per changed result on a correction, including a cancellation for someone who is
/// no longer part of the month), each with its delivery row (the push outbox), and the month becomes CLOSED
/// with the next revision.</item>
/// </list>
/// A month without a quota policy in force is refused before step 1, so that a close that cannot evaluate it does
/// not lock it. A crash between the steps leaves the month CLOSING; closing again finishes the job. Two concurrent
/// closes both evaluate, and the second finds the month already closed in step 3 and changes nothing.
/// </summary>
public sealed class PeriodClosing(
    DatabaseWriter writer,
    QuotaEvaluator evaluator,
    QuotaPolicies policies,
    TimeProvider clock,
    IOptions<PayrollOptions> options,
    AdjustmentAppendSignal appended,
    AuditTrail audit,
    CloseTraces traces,
    ILogger<PeriodClosing> logger)
{
    private const string InsertResultSql =
        "INSERT INTO period_results (regency_code, period_key, revision, nip, office_code, policy_version, required_rupiah, " +
        "counted_rupiah, exemption_reason, compliant, tpp_correction_rupiah) VALUES ($regency, $period, $revision, $nip, $office, " +
        "$policy, $required, $counted, $exemption, $compliant, $correction)";
    private const string InsertAdjustmentSql =
        "INSERT INTO payroll_adjustments (id, idempotency_key, regency_code, nip, office_code, period_key, revision, policy_version, " +
        "required_rupiah, counted_rupiah, shortfall_rupiah, sanction, tpp_correction_rupiah, tpp_ceiling_rupiah, supersedes_key, created_at) VALUES " +
        "($id, $key, $regency, $nip, $office, $period, $revision, $policy, $required, $counted, $shortfall, $sanction, $correction, " +
        "$ceiling, $supersedes, $now)";
    private const string InsertDeliverySql =
        "INSERT INTO adjustment_deliveries (adjustment_id, regency_code, state, attempts) VALUES ($id, $regency, 1, 0)";

    /// <summary>The gRPC method a close is audited under.</summary>
    public const string CloseMethod = "/ebakul.payroll.v1.PayrollService/ClosePeriod";

    /// <summary>The earliest moment a month may be closed: its end plus the grace period.</summary>
    public DateTimeOffset ClosableFrom(Period period) => period.End + options.Value.CloseGracePeriod;

    /// <summary>
    /// What a close would do, without doing it (AIP-163 <c>validate_only</c>): the month's figures and the adjustments it would
    /// create, per office, and whether it would be refused as looking incomplete. Nothing is written. A closed month
    /// previews as its idempotent close answers: nothing to create.
    /// </summary>
    public async Task<(PeriodState State, ClosePreview Preview)> PreviewAsync(string regencyCode, Period period, CancellationToken cancellationToken)
    {
        RequireClosable(period);
        await RequirePolicyAsync(regencyCode, period, cancellationToken);
        var evaluations = await evaluator.EvaluateRegencyInPartsAsync(regencyCode, period, Math.Clamp(Environment.ProcessorCount, 1, 8), writer, cancellationToken);
        return await writer.WriteAsync(tx =>
        {
            var state = tx.Db.PeriodStates.AsNoTracking().SingleOrDefault(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key)
                ?? new PeriodState { RegencyCode = regencyCode, PeriodKey = period.Key, Status = PeriodStatus.Open };
            return (state, state.Status == PeriodStatus.Closed ? new ClosePreview(period) : Figures(tx, regencyCode, period, state.Revision + 1, evaluations));
        }, cancellationToken, rerunnable: true);
    }

    /// <summary>
    /// Closes the month (idempotent). Returns its state, how many adjustments this call created and its figures.
    /// FAILED_PRECONDITION <c>CLOSE_LOOKS_INCOMPLETE</c> (the month left as it was) when the month looks incomplete
    /// (<see cref="CloseGuardOptions"/>) and <paramref name="incompleteConfirmation"/> gives no reason to close it anyway.
    /// </summary>
    public async Task<(PeriodState State, int AdjustmentsCreated, ClosePreview Figures)> CloseAsync(string regencyCode, Period period, CallerIdentity caller,
        string requestId, CancellationToken cancellationToken, string? incompleteConfirmation = null)
    {
        RequireClosable(period);
        await RequirePolicyAsync(regencyCode, period, cancellationToken);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var closeSpan = HubTelemetry.Source.StartActivity("ebakul.close");
        closeSpan?.SetTag("ebakul.regency", regencyCode);
        closeSpan?.SetTag("ebakul.period", period.ToString());
        // One close of a month at a time across hub processes (on PostgreSQL a session advisory lock; a replica that dies
        // mid-close loses it with its connection). A second close waits, then finds the month closed. A close interrupted
        // before it completed left the month CLOSING, with no results or adjustments: the next close (on any replica) runs
        // it again from the start, and completing checks the revision it began with, so no adjustment is made twice.
        await using var turn = await writer.Store.TakeTurnAsync($"close {regencyCode} {period.Key}", cancellationToken);
        PeriodState begun;
        PeriodStatus before;
        using (HubTelemetry.Source.StartActivity("ebakul.close.begin"))
            (begun, before) = await writer.WriteAsync(tx => Begin(tx, regencyCode, period), cancellationToken);
        if (begun.Status == PeriodStatus.Closed) return (begun, 0, new ClosePreview(period));

        // Evaluated in as many NIP ranges as there are cores, side by side, on one shared snapshot.
        var phase = System.Diagnostics.Stopwatch.StartNew();
        List<EmployeeEvaluation> evaluations;
        using (var span = HubTelemetry.Source.StartActivity("ebakul.close.evaluate"))
        {
            evaluations = await evaluator.EvaluateRegencyInPartsAsync(regencyCode, period, Math.Clamp(Environment.ProcessorCount, 1, 8), writer, cancellationToken);
            span?.SetTag("ebakul.close.employees", evaluations.Count);
        }
        logger.LogInformation("Closing {Period} of {Regency}: {Employees} employees evaluated in {Elapsed:F1} s",
            period, regencyCode, evaluations.Count, phase.Elapsed.TotalSeconds);
        phase.Restart();

        if (options.Value.CloseGuard.Enabled && string.IsNullOrWhiteSpace(incompleteConfirmation))
        {
            var preview = await writer.WriteAsync(tx =>
            {
                var figures = Figures(tx, regencyCode, period, begun.Revision + 1, evaluations);
                // Refused: the month goes back to what it was (the ledger accepts its purchases again).
                if (figures.LooksIncomplete(options.Value.CloseGuard) is not null)
                {
                    var state = tx.Db.PeriodStates.Single(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key);
                    if (state.Status == PeriodStatus.Closing && state.Revision == begun.Revision) state.Status = before;
                    tx.Db.SaveChanges();
                }
                return figures;
            }, cancellationToken);
            if (preview.LooksIncomplete(options.Value.CloseGuard) is { } why)
                throw HubException.FailedPrecondition("CLOSE_LOOKS_INCOMPLETE",
                    $"{period} of regency {regencyCode} looks incomplete: {why}. Nothing was closed. Check that every office's system sent its " +
                    "purchases; to close the month as it is, repeat the close with confirm_incomplete and a reason (kept in the audit trail), " +
                    "or preview it with validate_only", preview.Metadata());
        }

        // Before the commit, which wakes the dispatcher: the pushes of this close's adjustments are linked to its span.
        traces.Remember(regencyCode, period.Key, closeSpan);
        (PeriodState State, int AdjustmentsCreated, ClosePreview Figures) closed;
        using (var span = HubTelemetry.Source.StartActivity("ebakul.close.complete"))
        {
            closed = await writer.WriteAsync(tx =>
            {
                var figures = new ClosePreview(period);
                var (state, created, completed) = Complete(tx, regencyCode, period, begun.Revision, evaluations, caller, figures);
                if (completed)
                    audit.Append(tx, caller.Id, CloseMethod, requestId, regencyCode,
                        $"{{\"period\":\"{period}\",\"revision\":{state.Revision},\"employees\":{state.Employees},\"adjustmentsCreated\":{created}" +
                        (string.IsNullOrWhiteSpace(incompleteConfirmation) ? "" :
                            $",\"confirmedIncomplete\":{System.Text.Json.JsonSerializer.Serialize(incompleteConfirmation.Trim())}") + "}");
                logger.LogInformation("Closing {Period} of {Regency}: results, {Created} adjustments and their outbox rows written in {Elapsed:F1} s",
                    period, regencyCode, created, phase.Elapsed.TotalSeconds);
                return (state, created, figures);
                // Rerunnable: it only reads the evaluations and writes the transaction. Without a savepoint of its own SQLite
                // does not keep a copy of every page the close changes (for a province, hundreds of megabytes).
            }, cancellationToken, rerunnable: true);
            span?.SetTag("ebakul.close.adjustments_created", closed.AdjustmentsCreated);
        }
        HubTelemetry.AdjustmentsCreated.Add(closed.AdjustmentsCreated, HubTelemetry.Label("ebakul.regency", regencyCode));
        HubTelemetry.CloseDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, HubTelemetry.Label("ebakul.regency", regencyCode));
        return closed;
    }

    private void RequireClosable(Period period)
    {
        var closableFrom = ClosableFrom(period);
        if (clock.GetUtcNow() < closableFrom)
            throw HubException.FailedPrecondition("PERIOD_NOT_ENDED",
                $"{period} can be closed from {TimeZoneInfo.ConvertTime(closableFrom, Period.Jakarta):yyyy-MM-dd HH:mm} WIB (end of month plus {options.Value.CloseGracePeriod.TotalDays:0.##} days of grace)");
    }

    private async Task RequirePolicyAsync(string regencyCode, Period period, CancellationToken cancellationToken)
    {
        if (await policies.InForceAsync(regencyCode, period, cancellationToken) is null)
            throw HubException.FailedPrecondition("QUOTA_POLICY_NOT_IN_FORCE",
                $"regency {regencyCode} has no quota policy in force for {period}: there is nothing to close");
    }

    /// <summary>Reopens a closed month for an explicit correction with a reason.</summary>
    public PeriodState OpenCorrection(WriteTransaction tx, string regencyCode, Period period, string reason, CallerIdentity caller)
    {
        var state = tx.Db.PeriodStates.SingleOrDefault(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key);
        if (state is null || state.Status != PeriodStatus.Closed)
            throw HubException.FailedPrecondition("PERIOD_NOT_CLOSED",
                $"{period} is {Describe(state?.Status ?? PeriodStatus.Open)}; only a closed month can be opened for correction");
        state.Status = PeriodStatus.Correcting;
        state.CorrectionReason = reason;
        state.CorrectionOpenedBy = caller.Id;
        tx.Db.SaveChanges();
        return state;
    }

    /// <summary>The state of a month (OPEN with revision 0 when nothing happened to it yet).</summary>
    public static async Task<PeriodState> GetAsync(HubDbContext db, string regencyCode, Period period, CancellationToken cancellationToken) =>
        await db.PeriodStates.AsNoTracking().SingleOrDefaultAsync(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key, cancellationToken)
        ?? new PeriodState { RegencyCode = regencyCode, PeriodKey = period.Key, Status = PeriodStatus.Open };

    /// <summary>Marks the month CLOSING; returns it and the status it had before.</summary>
    private static (PeriodState State, PeriodStatus Before) Begin(WriteTransaction tx, string regencyCode, Period period)
    {
        var state = tx.Db.PeriodStates.SingleOrDefault(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key);
        var before = state?.Status ?? PeriodStatus.Open;
        if (state is null)
        {
            state = new PeriodState { RegencyCode = regencyCode, PeriodKey = period.Key, Status = PeriodStatus.Closing };
            tx.Db.PeriodStates.Add(state);
        }
        else if (state.Status != PeriodStatus.Closed)
        {
            state.Status = PeriodStatus.Closing;
        }
        else
        {
            return (state, before);
        }
        // What the close sees of the roster and the registry, from here on and for as long as the month stays closed: a
        // roster sync or a merchant change committed after this point reaches the month only through a correction.
        state.FrozenStatusChangeId = tx.Db.EmployeeStatusChanges.Max(c => (long?)c.Id) ?? 0;
        state.FrozenMerchantChangeId = tx.Db.MerchantAttributeChanges.Max(c => (long?)c.Id) ?? 0;
        tx.Db.SaveChanges();
        return (state, before);
    }

    private (PeriodState State, int Created, bool Completed) Complete(WriteTransaction tx, string regencyCode, Period period, int expectedRevision,
        List<EmployeeEvaluation> evaluations, CallerIdentity caller, ClosePreview figures)
    {
        var state = tx.Db.PeriodStates.Single(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key);
        if (state.Status != PeriodStatus.Closing || state.Revision != expectedRevision)
            return (state, 0, false); // another close finished first

        var revision = expectedRevision + 1;
        var now = clock.GetUtcNow();
        var totals = Plan(tx, regencyCode, period, revision, evaluations, now, figures, write: true);
        var created = figures.Adjustments;

        state.Status = PeriodStatus.Closed;
        state.Revision = revision;
        state.ClosedAt = now;
        state.ClosedBy = caller.Id;
        (state.Employees, state.Exempt, state.NoTpp, state.Compliant, state.NonCompliant) =
            (totals.Employees, totals.Exempt, totals.NoTpp, totals.Compliant, totals.NonCompliant);
        (state.RequiredRupiah, state.CountedRupiah, state.ShortfallRupiah, state.TppCorrectionRupiah) =
            (totals.RequiredRupiah, totals.CountedRupiah, totals.ShortfallRupiah, totals.TppCorrectionRupiah);
        tx.Db.SaveChanges();
        // A revision replaced before e-TPP applied it is never to be applied: the new one carries the whole correction.
        if (created > 0)
            tx.Command(AdjustmentReads.SettleSupersededSql).Bind("$regency", regencyCode).Bind("$now", now.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        if (created > 0) tx.OnCommitted(appended.Notify);
        return (state, created, true);
    }

    /// <summary>What a close making <paramref name="revision"/> would make, and what the incomplete-month check compares it with; writes nothing.</summary>
    private static ClosePreview Figures(WriteTransaction tx, string regencyCode, Period period, int revision, List<EmployeeEvaluation> evaluations)
    {
        var figures = new ClosePreview(period);
        Plan(tx, regencyCode, period, revision, evaluations, DateTimeOffset.UnixEpoch, figures, write: false);
        figures.Compare(tx, regencyCode, period);
        return figures;
    }

    /// <summary>
    /// Decides the close from the evaluations: the month's totals, and the adjustment revisions it makes, counted into
    /// <paramref name="figures"/>. With <paramref name="write"/> the results, the adjustments and their outbox rows are
    /// inserted; without, nothing is written (a preview, or the incomplete-month check).
    /// </summary>
    private static PeriodState Plan(WriteTransaction tx, string regencyCode, Period period, int revision, List<EmployeeEvaluation> evaluations,
        DateTimeOffset now, ClosePreview figures, bool write)
    {
        var inForce = AdjustmentReads.InForce(tx.Db, regencyCode, period).ToDictionary(a => a.Nip);
        // A revision whose dispute was accepted is replaced at this close even when the figures come out the same: it is
        // held and never goes to e-TPP, so the month's decision for that employee must be made again.
        var disputed = tx.Db.AdjustmentDisputes
            .Where(d => d.RegencyCode == regencyCode && d.PeriodKey == period.Key && d.State == DisputeState.Accepted)
            .Select(d => d.AdjustmentKey).ToHashSet(StringComparer.Ordinal);
        var totals = new PeriodState { RegencyCode = regencyCode, PeriodKey = period.Key };

        foreach (var e in evaluations)
        {
            var exempt = e.Exemption is not null || e.Outcome == QuotaOutcome.NoTpp;
            var correction = exempt || e.Compliant ? 0 : e.ProjectedCorrectionRupiah;
            if (write)
                tx.Command(InsertResultSql)
                    .Bind("$regency", regencyCode).Bind("$period", period.Key).Bind("$revision", revision)
                    .Bind("$nip", e.Nip).Bind("$office", e.OfficeCode).Bind("$policy", e.PolicyVersion)
                    .Bind("$required", e.RequiredRupiah).Bind("$counted", e.CountedRupiah)
                    .Bind("$exemption", e.Exemption?.Reason).Bind("$compliant", e.Compliant || exempt).Bind("$correction", correction)
                    .ExecuteNonQuery();
            figures.AddEmployee(e.OfficeCode, e.RequiredRupiah, e.CountedRupiah);

            totals.Employees++;
            if (e.Outcome == QuotaOutcome.NoTpp) totals.NoTpp++;
            else if (exempt) totals.Exempt++;
            else
            {
                if (e.Compliant) totals.Compliant++; else totals.NonCompliant++;
                totals.RequiredRupiah += e.RequiredRupiah;
                totals.CountedRupiah += e.CountedRupiah;
                totals.ShortfallRupiah += Math.Max(0, e.RequiredRupiah - e.CountedRupiah);
            }

            inForce.Remove(e.Nip, out var previous);
            var shortfall = exempt || e.Compliant ? 0 : Math.Max(0, e.RequiredRupiah - e.CountedRupiah);
            var changed = previous is null
                ? correction > 0
                : previous.TppCorrectionRupiah != correction || previous.RequiredRupiah != e.RequiredRupiah
                  || previous.CountedRupiah != e.CountedRupiah || previous.PolicyVersion != e.PolicyVersion
                  || disputed.Contains(previous.IdempotencyKey);
            if (changed)
            {
                // The employee's own revision (not the close's): 1 for the first adjustment of the month, then one more per
                // change, so that r1 never supersedes anything and a later revision always names the one it replaces.
                if (write)
                    InsertAdjustment(tx, regencyCode, period, previous is null ? 1 : previous.Revision + 1, e.Nip, e.OfficeCode, e.PolicyVersion,
                        e.SanctionKind, e.RequiredRupiah, e.CountedRupiah, shortfall, correction, e.TppCeilingRupiah, previous?.IdempotencyKey, now);
                figures.AddAdjustment(e.OfficeCode, correction);
            }
            totals.TppCorrectionRupiah += changed ? correction : previous?.TppCorrectionRupiah ?? 0;
        }

        // An adjustment in force for someone no longer part of the month (the roster was corrected backwards: they
        // left before it) is cancelled: they owe nothing for the month.
        foreach (var gone in inForce.Values.Where(a => a.TppCorrectionRupiah != 0 || disputed.Contains(a.IdempotencyKey)))
        {
            if (write)
                InsertAdjustment(tx, regencyCode, period, gone.Revision + 1, gone.Nip, gone.OfficeCode, gone.PolicyVersion, gone.Sanction,
                    0, 0, 0, 0, gone.TppCeilingRupiah, gone.IdempotencyKey, now);
            figures.AddAdjustment(gone.OfficeCode, 0);
        }
        return totals;
    }

    private static void InsertAdjustment(WriteTransaction tx, string regencyCode, Period period, int revision, string nip, string officeCode,
        int policyVersion, SanctionKind sanction, long required, long counted, long shortfall, long correction, long tppCeiling, string? supersedes,
        DateTimeOffset now)
    {
        var id = Guid.CreateVersion7().ToString("N");
        tx.Command(InsertAdjustmentSql)
            .Bind("$id", id)
            .Bind("$key", PayrollAdjustment.KeyOf(regencyCode, nip, period, revision))
            .Bind("$regency", regencyCode).Bind("$nip", nip).Bind("$office", officeCode)
            .Bind("$period", period.Key).Bind("$revision", revision).Bind("$policy", policyVersion)
            .Bind("$required", required).Bind("$counted", counted).Bind("$shortfall", shortfall)
            .Bind("$sanction", (int)sanction).Bind("$correction", correction).Bind("$ceiling", tppCeiling)
            .Bind("$supersedes", supersedes).Bind("$now", now.ToUnixTimeMilliseconds())
            .ExecuteNonQuery();
        tx.Command(InsertDeliverySql).Bind("$id", id).Bind("$regency", regencyCode).ExecuteNonQuery();
    }

    /// <summary>Lower-case words for a status, for messages.</summary>
    public static string Describe(PeriodStatus status) => status switch
    {
        PeriodStatus.Open => "open",
        PeriodStatus.Closing => "being closed",
        PeriodStatus.Closed => "closed",
        PeriodStatus.Correcting => "open for correction",
        _ => status.ToString(),
    };
}
