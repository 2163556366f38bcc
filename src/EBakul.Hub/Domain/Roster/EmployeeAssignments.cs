using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Roster;

/// <summary>
/// Which <see cref="EmployeeAssignment"/> applies when, as SQL for the set-based reads and as queries. Two questions
/// are asked of the history:
/// <list type="bullet">
/// <item>the office on a date: the office a purchase of that date belongs to (the ledger entry's <c>office_code</c>);</item>
/// <item>the assignment of a month: the one in force on the month's last day. The month is priced by its class,
/// type, echelon and TPP ceiling, and counts in its office's compliance.</item>
/// </list>
/// Without history rows the roster row applies (the employee never changed).
/// </summary>
public static class EmployeeAssignments
{
    /// <summary>SQL for the office of the employee <paramref name="nip"/> on the Jakarta date <paramref name="date"/> ("yyyy-MM-dd").</summary>
    public static string OfficeOnDateSql(string nip, string date) =>
        $"COALESCE((SELECT a.office_code FROM employee_assignments AS a WHERE a.nip = {nip} AND a.effective_date <= {date} " +
        "ORDER BY a.effective_date DESC, a.id DESC LIMIT 1), " +
        $"(SELECT r.office_code FROM employees AS r WHERE r.nip = {nip}))";

    /// <summary>SQL for the id of the assignment of the employee <paramref name="nip"/> in force in the month <paramref name="periodKey"/>; NULL without history.</summary>
    public static string InForceInMonthIdSql(string nip, string periodKey) =>
        $"(SELECT a.id FROM employee_assignments AS a WHERE a.nip = {nip} AND a.effective_period_key <= {periodKey} " +
        "ORDER BY a.effective_period_key DESC, a.effective_date DESC, a.id DESC LIMIT 1)";

    /// <summary>SQL for the office the month <paramref name="periodKey"/> of the employee <paramref name="nip"/> counts under.</summary>
    public static string OfficeInMonthSql(string nip, string periodKey) =>
        $"COALESCE((SELECT a.office_code FROM employee_assignments AS a WHERE a.nip = {nip} AND a.effective_period_key <= {periodKey} " +
        "ORDER BY a.effective_period_key DESC, a.effective_date DESC, a.id DESC LIMIT 1), " +
        $"(SELECT r.office_code FROM employees AS r WHERE r.nip = {nip}))";

    /// <summary>The office the month of the employee counts under, or null when the NIP is not on the regency's roster.</summary>
    public static async Task<string?> OfficeInMonthAsync(HubDbContext db, string regencyCode, string nip, Period period, CancellationToken cancellationToken)
    {
        var current = await db.Employees.Where(e => e.RegencyCode == regencyCode && e.Nip == nip).Select(e => e.OfficeCode).FirstOrDefaultAsync(cancellationToken);
        if (current is null) return null;
        return await db.EmployeeAssignments.Where(a => a.Nip == nip && a.EffectivePeriodKey <= period.Key)
            .OrderByDescending(a => a.EffectivePeriodKey).ThenByDescending(a => a.EffectiveDate).ThenByDescending(a => a.Id)
            .Select(a => a.OfficeCode).FirstOrDefaultAsync(cancellationToken) ?? current;
    }
}
