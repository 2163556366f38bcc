using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// Explicit per-employee, per-month exemptions: granted and revoked inside the <see cref="DatabaseWriter"/> (so the
/// "one standing exemption per employee and month" rule cannot race), read for lists.
/// </summary>
public sealed class QuotaExemptions(HubDbContext db, TimeProvider clock)
{
    /// <summary>Longest reason accepted.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>
    /// Inside a write: exempts an employee of the regency for a month. NOT_FOUND <c>EMPLOYEE_NOT_FOUND</c> when the NIP is
    /// not on the regency's roster; ALREADY_EXISTS <c>EXEMPTION_ALREADY_GRANTED</c> when a standing exemption exists.
    /// An office system may exempt only its own office's employees.
    /// </summary>
    public QuotaExemption Grant(WriteTransaction tx, string regencyCode, string nip, Period period, string reason, CallerIdentity caller)
    {
        var office = MonthOffice(tx, regencyCode, nip, period);
        caller.RequireOwnOffice(office, $"NIP {nip}");
        if (office is null)
            throw HubException.NotFound("EMPLOYEE_NOT_FOUND", $"NIP {nip} is not on the roster of regency {regencyCode}");
        RequireMonthOpen(tx, regencyCode, period, "granted");
        var standing = Standing(tx.Db, regencyCode, nip, period);
        if (standing is not null)
            throw HubException.AlreadyExists("EXEMPTION_ALREADY_GRANTED",
                $"NIP {nip} is already exempted for {period} (exemption {standing.Id}: {standing.Reason}); revoke it first to change it");
        var exemption = new QuotaExemption
        {
            RegencyCode = regencyCode,
            Nip = nip,
            PeriodKey = period.Key,
            Reason = reason,
            GrantedAt = clock.GetUtcNow(),
            GrantedBy = caller.Id,
        };
        tx.Db.QuotaExemptions.Add(exemption);
        tx.Db.SaveChanges();
        return exemption;
    }

    /// <summary>
    /// Inside a write: revokes the standing exemption of an employee for a month; NOT_FOUND <c>EXEMPTION_NOT_FOUND</c> when
    /// there is none. An office system may revoke only its own office's employees' exemptions.
    /// </summary>
    public QuotaExemption Revoke(WriteTransaction tx, string regencyCode, string nip, Period period, string reason, CallerIdentity caller)
    {
        if (caller.IsOfficeBound) caller.RequireOwnOffice(MonthOffice(tx, regencyCode, nip, period), $"NIP {nip}");
        RequireMonthOpen(tx, regencyCode, period, "revoked");
        var standing = Standing(tx.Db, regencyCode, nip, period)
            ?? throw HubException.NotFound("EXEMPTION_NOT_FOUND", $"NIP {nip} has no standing exemption for {period} in regency {regencyCode}");
        standing.RevokedAt = clock.GetUtcNow();
        standing.RevokedBy = caller.Id;
        standing.RevokeReason = reason;
        tx.Db.SaveChanges();
        return standing;
    }

    /// <summary>
    /// Exemptions of a month after <paramref name="afterId"/> in grant order, revoked ones included; only those of
    /// <paramref name="officeCode"/>'s employees when given.
    /// </summary>
    public Task<List<QuotaExemption>> ListAsync(
        string regencyCode, Period period, string? officeCode, long afterId, int limit, CancellationToken cancellationToken)
    {
        var query = db.QuotaExemptions.AsNoTracking()
            .Where(x => x.RegencyCode == regencyCode && x.PeriodKey == period.Key && x.Id > afterId);
        if (officeCode is not null)
            query = query.Where(x => (db.EmployeeAssignments.Where(a => a.Nip == x.Nip && a.EffectivePeriodKey <= x.PeriodKey)
                    .OrderByDescending(a => a.EffectivePeriodKey).ThenByDescending(a => a.EffectiveDate).ThenByDescending(a => a.Id)
                    .Select(a => a.OfficeCode).FirstOrDefault()
                ?? db.Employees.Where(e => e.Nip == x.Nip).Select(e => e.OfficeCode).FirstOrDefault()) == officeCode);
        return query.OrderBy(x => x.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The office the employee's month counts under (an office system exempts only those), or null when not on the roster.</summary>
    private static string? MonthOffice(WriteTransaction tx, string regencyCode, string nip, Period period) =>
        EmployeeAssignments.OfficeInMonthAsync(tx.Db, regencyCode, nip, period, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// An exemption changes what a month owes, so it changes only while the month's result may move: open, or reopened
    /// for a correction (<c>OpenCorrection</c>, whose close then freezes it). FAILED_PRECONDITION <c>PERIOD_CLOSED</c> while
    /// the month is being closed or is closed: the frozen adjustment must not be contradicted by the evaluation.
    /// </summary>
    private static void RequireMonthOpen(WriteTransaction tx, string regencyCode, Period period, string verb)
    {
        var status = tx.Db.PeriodStates.Where(p => p.RegencyCode == regencyCode && p.PeriodKey == period.Key).Select(p => (PeriodStatus?)p.Status).FirstOrDefault();
        if (status is PeriodStatus.Closing or PeriodStatus.Closed)
            throw HubException.FailedPrecondition("PERIOD_CLOSED",
                $"{period} is {PeriodClosing.Describe(status.Value)} for regency {regencyCode}; an exemption can be {verb} only while the month is open " +
                "or reopened for a correction (PayrollService.OpenCorrection)");
    }

    private static QuotaExemption? Standing(HubDbContext db, string regencyCode, string nip, Period period) =>
        db.QuotaExemptions.FirstOrDefault(x => x.RegencyCode == regencyCode && x.Nip == nip && x.PeriodKey == period.Key && x.RevokedAt == null);
}
