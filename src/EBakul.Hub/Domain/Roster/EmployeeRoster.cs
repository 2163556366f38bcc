using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Roster;

/// <summary>An employee with the name of their office.</summary>
public sealed record EmployeeWithOffice(Employee Employee, string OfficeName);

/// <summary>One page of employees and the token of the next page (empty on the last page).</summary>
public sealed record EmployeePage(IReadOnlyList<EmployeeWithOffice> Employees, string NextPageToken);

/// <summary>
/// Reads the roster of a regency: one employee, a filtered page ordered by NIP, or an employee's
/// status timeline. An employee of another regency is reported as not found, never shown.
/// </summary>
public sealed class EmployeeRoster(HubDbContext db, RegencyDirectory regencies)
{
    /// <summary>Page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The employee with <paramref name="nip"/> in <paramref name="regencyCode"/>. INVALID_ARGUMENT for a
    /// malformed NIP (<c>NIP_INVALID</c>); NOT_FOUND <c>EMPLOYEE_NOT_FOUND</c> when the regency has no such employee.
    /// </summary>
    public async Task<EmployeeWithOffice> GetAsync(string regencyCode, string nip, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(regencyCode, checks);
        Nip.Check(nip, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(regencyCode);

        var row = await WithOffices(db.Employees.Where(e => e.RegencyCode == regencyCode && e.Nip == nip))
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? throw NotFound(regencyCode, nip) : new EmployeeWithOffice(row.Employee, row.OfficeName);
    }

    /// <summary>
    /// A page of the regency's employees ordered by NIP, optionally only those of one office and/or with
    /// one status. The page token is bound to the filters.
    /// </summary>
    public async Task<EmployeePage> ListAsync(
        string regencyCode, string officeCode, EmployeeStatus? status, int pageSize, string pageToken,
        CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(regencyCode, checks);
        if (!string.IsNullOrEmpty(officeCode))
        {
            checks.Check(officeCode.Length <= EmployeeSync.MaxOfficeCodeLength && EmployeeSync.IsOfficeCode(officeCode),
                "office_code", "OFFICE_CODE_INVALID", "must be digit groups separated by dots, e.g. \"1.02.01\"");
        }
        if (status is { } s) checks.RequireEnum(s, "status");
        var size = PageToken.Size(pageSize, checks, DefaultPageSize, MaxPageSize);
        var filters = $"employees|{regencyCode}|{officeCode}|{(int?)status}";
        var after = PageToken.Decode(pageToken, filters, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(regencyCode);

        var query = db.Employees.Where(e => e.RegencyCode == regencyCode);
        if (!string.IsNullOrEmpty(officeCode)) query = query.Where(e => e.OfficeCode == officeCode);
        if (status is { } wanted) query = query.Where(e => e.Status == wanted);
        if (after is not null) query = query.Where(e => string.Compare(e.Nip, after) > 0);
        var rows = (await WithOffices(query).OrderBy(r => r.Employee.Nip).Take(size + 1).ToListAsync(cancellationToken))
            .Select(r => new EmployeeWithOffice(r.Employee, r.OfficeName))
            .ToList();

        if (rows.Count <= size) return new EmployeePage(rows, "");
        rows.RemoveAt(size);
        return new EmployeePage(rows, PageToken.Encode(rows[^1].Employee.Nip, filters));
    }

    /// <summary>
    /// The status changes of one employee of the regency, in the order they were recorded: the input of
    /// <see cref="StatusTimeline"/>. NOT_FOUND <c>EMPLOYEE_NOT_FOUND</c> when the regency has no such employee.
    /// </summary>
    public async Task<IReadOnlyList<EmployeeStatusChange>> StatusChangesAsync(string regencyCode, string nip, CancellationToken cancellationToken)
    {
        if (!await db.Employees.AnyAsync(e => e.RegencyCode == regencyCode && e.Nip == nip, cancellationToken))
            throw NotFound(regencyCode, nip);
        return await db.EmployeeStatusChanges.AsNoTracking()
            .Where(c => c.Nip == nip)
            .OrderBy(c => c.Id)
            .ToListAsync(cancellationToken);
    }

    private IQueryable<JoinedRow> WithOffices(IQueryable<Employee> employees) =>
        from e in employees.AsNoTracking()
        join o in db.Offices on new { e.RegencyCode, Code = e.OfficeCode } equals new { o.RegencyCode, o.Code } into offices
        from o in offices.DefaultIfEmpty()
        select new JoinedRow { Employee = e, OfficeName = o != null ? o.Name : "" };

    private static HubException NotFound(string regencyCode, string nip) =>
        HubException.NotFound("EMPLOYEE_NOT_FOUND", $"regency '{regencyCode}' has no employee with NIP {nip}");

    /// <summary>An employee row joined with its office's name, as the query returns it.</summary>
    private sealed class JoinedRow
    {
        /// <summary>The employee.</summary>
        public required Employee Employee { get; init; }
        /// <summary>The office's name, empty if the office is unknown.</summary>
        public required string OfficeName { get; init; }
    }
}
