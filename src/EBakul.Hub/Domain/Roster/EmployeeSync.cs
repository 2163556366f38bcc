using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Errors;
using EBakul.Roster.V1;

namespace EBakul.Hub.Domain.Roster;

/// <summary>
/// Applies the personnel system's sync chunks to the roster. A chunk is checked as a whole first (its
/// request_id, size and regency: a malformed chunk is refused and changes nothing); then every row is
/// checked on its own, and the valid rows are upserted in one writer transaction together with the
/// chunk's idempotency record, so a retried chunk is answered from the stored response.
/// <para>
/// Built for whole-regency syncs (hundreds of thousands of rows): the stored rows of a chunk are read
/// with one query, and only what changed is written, with one prepared set-based statement per kind of
/// change (new rows, changed rows, status changes). Every change of status or of its effective date
/// appends to the employee's status timeline; every change of office, class, type, echelon or TPP ceiling appends to
/// the employee's <see cref="EmployeeAssignment"/> history, effective from the sync's Jakarta date.
/// </para>
/// </summary>
public sealed class EmployeeSync(IdempotentWrites idempotency, RegencyDirectory regencies, TimeProvider clock, PolicyOfMonth policies,
    Audit.AuditTrail audit)
{
    /// <summary>Most rows in one chunk.</summary>
    public const int MaxRowsPerChunk = 5000;
    /// <summary>Longest employee name.</summary>
    public const int MaxNameLength = 200;
    /// <summary>Longest office code.</summary>
    public const int MaxOfficeCodeLength = 30;
    /// <summary>Longest office name.</summary>
    public const int MaxOfficeNameLength = 200;
    /// <summary>Lowest kelas jabatan.</summary>
    public const int MinKelasJabatan = 1;
    /// <summary>Highest kelas jabatan.</summary>
    public const int MaxKelasJabatan = 17;
    /// <summary>Highest monthly TPP ceiling accepted, in rupiah.</summary>
    public const long MaxTppCeilingRupiah = 100_000_000;

    /// <summary>The method name the chunks' idempotency records are kept under.</summary>
    public static readonly string Method = $"/{RosterService.Descriptor.FullName}/SyncEmployees";

    // Set-based SQL over JSON arrays: one statement per kind of change for the whole chunk. Each row of
    // $rows is [nip, name, office_code, kelas_jabatan, employment_type, echelon, tpp_ceiling_rupiah,
    // status, status_effective_date] (see RowsJson).
    private const string SelectEmployeesSql =
        "SELECT e.nip, e.regency_code, e.name, e.office_code, e.kelas_jabatan, e.employment_type, e.echelon, " +
        "e.tpp_ceiling_rupiah, e.status, e.status_effective_date " +
        "FROM json_each($nips) AS j JOIN employees AS e ON e.nip = j.value";
    private const string InsertEmployeesSql =
        "INSERT INTO employees (nip, regency_code, name, office_code, kelas_jabatan, employment_type, echelon, " +
        "tpp_ceiling_rupiah, status, status_effective_date, updated_at) " +
        "SELECT r.value ->> 0, $regency, r.value ->> 1, r.value ->> 2, CAST(r.value ->> 3 AS INTEGER), CAST(r.value ->> 4 AS INTEGER), CAST(r.value ->> 5 AS INTEGER), " +
        "CAST(r.value ->> 6 AS BIGINT), CAST(r.value ->> 7 AS INTEGER), r.value ->> 8, $now FROM json_each($rows) AS r";
    private const string UpdateEmployeesSql =
        "UPDATE employees SET name = r.value ->> 1, office_code = r.value ->> 2, kelas_jabatan = CAST(r.value ->> 3 AS INTEGER), " +
        "employment_type = CAST(r.value ->> 4 AS INTEGER), echelon = CAST(r.value ->> 5 AS INTEGER), tpp_ceiling_rupiah = CAST(r.value ->> 6 AS BIGINT), " +
        "status = CAST(r.value ->> 7 AS INTEGER), status_effective_date = r.value ->> 8, updated_at = $now " +
        "FROM json_each($rows) AS r WHERE employees.nip = r.value ->> 0";
    private const string InsertStatusChangesSql =
        "INSERT INTO employee_status_changes (nip, status, effective_date, recorded_at) " +
        "SELECT r.value ->> 0, CAST(r.value ->> 7 AS INTEGER), r.value ->> 8, $now FROM json_each($rows) AS r";
    // The first change of an employee's assignment keeps what it replaces, from always (EmployeeAssignment); every
    // change adds the new assignment from the sync's date. Both run before the roster row is updated.
    private const string InsertFirstAssignmentsSql =
        "INSERT INTO employee_assignments (nip, effective_date, effective_period_key, office_code, kelas_jabatan, employment_type, " +
        "echelon, tpp_ceiling_rupiah, recorded_at) " +
        "SELECT e.nip, $since, $sinceKey, e.office_code, e.kelas_jabatan, e.employment_type, e.echelon, e.tpp_ceiling_rupiah, $now " +
        "FROM json_each($rows) AS r JOIN employees AS e ON e.nip = r.value ->> 0 " +
        "WHERE NOT EXISTS (SELECT 1 FROM employee_assignments AS a WHERE a.nip = e.nip)";
    private const string InsertAssignmentsSql =
        "INSERT INTO employee_assignments (nip, effective_date, effective_period_key, office_code, kelas_jabatan, employment_type, " +
        "echelon, tpp_ceiling_rupiah, recorded_at) " +
        "SELECT r.value ->> 0, $date, $dateKey, r.value ->> 2, CAST(r.value ->> 3 AS INTEGER), CAST(r.value ->> 4 AS INTEGER), CAST(r.value ->> 5 AS INTEGER), CAST(r.value ->> 6 AS BIGINT), $now " +
        "FROM json_each($rows) AS r";
    private const string SelectOfficesSql =
        "SELECT o.code, o.name FROM json_each($codes) AS j JOIN offices AS o ON o.regency_code = $regency AND o.code = j.value";
    private const string UpsertOfficeSql =
        "INSERT INTO offices (regency_code, code, name) VALUES ($regency, $code, $name) " +
        "ON CONFLICT (regency_code, code) DO UPDATE SET name = excluded.name";

    /// <summary>
    /// Applies one chunk for <paramref name="callerId"/> and returns its answer: one result per row, in order.
    /// Throws INVALID_ARGUMENT for a chunk without request_id or regency_code, or with no or too many rows;
    /// NOT_FOUND <c>REGENCY_NOT_FOUND</c> for a regency the hub does not serve; FAILED_PRECONDITION
    /// <c>REQUEST_ID_REUSED</c> when the request_id was used for another payload.
    /// </summary>
    public Task<SyncEmployeesResponse> SyncChunkAsync(string callerId, SyncEmployeesRequest chunk, CancellationToken cancellationToken)
    {
        // update_time is output only (AIP-203): whatever a caller sends there is ignored, and never reaches the idempotency
        // hash or the audit trail.
        foreach (var row in chunk.Employees) row.UpdateTime = null;
        var checks = new FieldChecks();
        RequestIds.Check(chunk.RequestId, checks);
        RegencyDirectory.CheckCode(chunk.RegencyCode, checks);
        if (chunk.Employees.Count == 0)
            checks.Add("employees", "FIELD_REQUIRED", $"a chunk must hold 1-{MaxRowsPerChunk} rows");
        else
            checks.Check(chunk.Employees.Count <= MaxRowsPerChunk, "employees", "CHUNK_TOO_LARGE",
                $"a chunk holds at most {MaxRowsPerChunk} rows, got {chunk.Employees.Count}; split it");
        checks.ThrowIfAny();
        regencies.RequireServed(chunk.RegencyCode);

        var today = Period.DateOf(clock.GetUtcNow());
        var rows = new SyncRow[chunk.Employees.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Length; i++)
            rows[i] = CheckRow(i, chunk.Employees[i], chunk.RegencyCode, today, seen);

        return idempotency.WriteAsync(callerId, Method, chunk, chunk.RequestId,
            tx => Apply(tx, callerId, chunk.RequestId, chunk.RegencyCode, rows), cancellationToken, rerunnable: true);
    }

    /// <summary>
    /// Checks one row on its own. The first rule broken decides the rejection (fields in contract order);
    /// the description names the other invalid fields too. A NIP already seen earlier in the chunk
    /// rejects the later row.
    /// </summary>
    private static SyncRow CheckRow(int index, EBakul.Roster.V1.Employee row, string regencyCode, DateOnly today, HashSet<string> seen)
    {
        var checks = new FieldChecks();
        if (Nip.Check(row.Nip, checks) && !seen.Add(row.Nip))
            checks.Add("nip", "DUPLICATE_IN_CHUNK", "this NIP already appears earlier in the chunk; the later row is not stored");
        checks.RequireText(row.Name, "name", MaxNameLength);
        if (checks.RequireText(row.OfficeCode, "office_code", MaxOfficeCodeLength))
            checks.Check(IsOfficeCode(row.OfficeCode), "office_code", "OFFICE_CODE_INVALID",
                "must be digit groups separated by dots, e.g. \"1.02.01\"");
        checks.RequireText(row.OfficeName, "office_name", MaxOfficeNameLength);
        checks.Check(row.KelasJabatan is >= MinKelasJabatan and <= MaxKelasJabatan, "kelas_jabatan", "KELAS_JABATAN_OUT_OF_RANGE",
            $"must be {MinKelasJabatan}-{MaxKelasJabatan}, got {row.KelasJabatan}");
        checks.RequireEnum(row.EmploymentType, "employment_type");
        checks.RequireEnum(row.Echelon, "echelon");
        checks.Check(row.TppCeilingRupiah is >= 0 and <= MaxTppCeilingRupiah, "tpp_ceiling_rupiah", "TPP_CEILING_OUT_OF_RANGE",
            $"must be 0-{MaxTppCeilingRupiah} rupiah, got {row.TppCeilingRupiah}");
        checks.RequireEnum(row.Status, "status");
        var effectiveDate = CheckDate(row.StatusEffectiveDate, today, checks);

        if (!checks.IsValid)
        {
            var first = checks.Violations[0];
            var others = checks.Violations.Skip(1).Select(v => v.Field).Distinct().ToList();
            var description = others.Count == 0 ? first.Description : $"{first.Description} (also invalid: {string.Join(", ", others)})";
            return new SyncRow(index, row.Nip, null, row.OfficeName, Rejected(index, row.Nip, first.Reason, first.Field, description));
        }

        var employee = new Employee
        {
            Nip = row.Nip,
            RegencyCode = regencyCode,
            Name = row.Name,
            OfficeCode = row.OfficeCode,
            KelasJabatan = row.KelasJabatan,
            EmploymentType = (EmploymentType)row.EmploymentType,
            Echelon = (Echelon)row.Echelon,
            TppCeilingRupiah = row.TppCeilingRupiah,
            Status = (EmployeeStatus)row.Status,
            StatusEffectiveDate = effectiveDate,
        };
        return new SyncRow(index, row.Nip, employee, row.OfficeName, null);
    }

    /// <summary>A real Jakarta calendar date, not after today.</summary>
    private static DateOnly CheckDate(Google.Type.Date? date, DateOnly today, FieldChecks checks)
    {
        const string field = "status_effective_date";
        if (date is null)
        {
            checks.Add(field, "FIELD_REQUIRED", "is required");
            return default;
        }
        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            checks.Add(field, "DATE_INVALID", $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a real calendar date");
            return default;
        }
        var value = new DateOnly(date.Year, date.Month, date.Day);
        checks.Check(value <= today, field, "DATE_IN_FUTURE", $"{DateText(value)} is after today ({DateText(today)}, Asia/Jakarta)");
        return value;
    }

    /// <summary>Digit groups separated by single dots: "1", "1.02.01".</summary>
    internal static bool IsOfficeCode(string code)
    {
        if (code.Length == 0 || !char.IsAsciiDigit(code[0]) || !char.IsAsciiDigit(code[^1])) return false;
        for (var i = 1; i < code.Length; i++)
        {
            var c = code[i];
            if (char.IsAsciiDigit(c)) continue;
            if (c != '.' || code[i - 1] == '.') return false;
        }
        return true;
    }

    /// <summary>
    /// Inside the write: decides every valid row against the stored roster, then writes the new rows, the
    /// changed rows and the status changes with one statement each, in NIP order so that the index pages
    /// they touch are visited once each.
    /// </summary>
    private SyncEmployeesResponse Apply(WriteTransaction tx, string callerId, string requestId, string regencyCode, SyncRow[] rows)
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var valid = rows.Where(r => r.Employee is not null).OrderBy(r => r.Nip, StringComparer.Ordinal).ToList();
        var stored = LoadStored(tx, valid);
        var results = new SyncEmployeeResult[rows.Length];
        var created = new List<Employee>();
        var updated = new List<Employee>();
        var statusChanged = new List<Employee>();
        var reassigned = new List<Employee>();
        var moved = new List<(string Nip, string From, string To)>();
        var offices = new Dictionary<string, (int Index, string Name)>(StringComparer.Ordinal);

        foreach (var row in valid)
        {
            var employee = row.Employee!;
            SyncOutcome outcome;
            if (!stored.TryGetValue(employee.Nip, out var current))
            {
                created.Add(employee);
                statusChanged.Add(employee);
                outcome = SyncOutcome.Created;
            }
            else if (current.RegencyCode != regencyCode)
            {
                results[row.Index] = Rejected(row.Index, row.Nip, "NIP_IN_OTHER_REGENCY", "nip",
                    "this NIP is on the roster of another regency; it cannot be synced into this one");
                continue;
            }
            else if (current.Matches(employee))
            {
                outcome = SyncOutcome.Unchanged;
            }
            else
            {
                updated.Add(employee);
                if (!current.SameAssignment(employee)) reassigned.Add(employee);
                if (current.OfficeCode != employee.OfficeCode) moved.Add((employee.Nip, current.OfficeCode, employee.OfficeCode));
                if (current.Status != employee.Status || current.StatusEffectiveDate != DateText(employee.StatusEffectiveDate))
                    statusChanged.Add(employee);
                outcome = SyncOutcome.Updated;
            }
            // The office takes the name of the last row in the chunk that names it.
            if (!offices.TryGetValue(employee.OfficeCode, out var named) || named.Index < row.Index)
                offices[employee.OfficeCode] = (row.Index, row.OfficeName);
            results[row.Index] = new SyncEmployeeResult { Index = row.Index, Nip = row.Nip, Outcome = outcome };
        }

        if (created.Count > 0)
            tx.Command(InsertEmployeesSql).Bind("$rows", RowsJson(created)).Bind("$regency", regencyCode).Bind("$now", nowMs).ExecuteNonQuery();
        if (reassigned.Count > 0)
        {
            var today = Period.DateOf(clock.GetUtcNow());
            var reassignedJson = RowsJson(reassigned);
            tx.Command(InsertFirstAssignmentsSql).Bind("$rows", reassignedJson).Bind("$since", DateText(EmployeeAssignment.SinceAlways))
                .Bind("$sinceKey", Period.Containing(EmployeeAssignment.SinceAlways).Key).Bind("$now", nowMs).ExecuteNonQuery();
            tx.Command(InsertAssignmentsSql).Bind("$rows", reassignedJson).Bind("$date", DateText(today))
                .Bind("$dateKey", Period.Containing(today).Key).Bind("$now", nowMs).ExecuteNonQuery();
        }
        if (updated.Count > 0)
            tx.Command(UpdateEmployeesSql).Bind("$rows", RowsJson(updated)).Bind("$now", nowMs).ExecuteNonQuery();
        if (statusChanged.Count > 0)
            tx.Command(InsertStatusChangesSql).Bind("$rows", RowsJson(statusChanged)).Bind("$now", nowMs).ExecuteNonQuery();
        UpsertOffices(tx, regencyCode, offices.ToDictionary(o => o.Key, o => o.Value.Name, StringComparer.Ordinal));
        // The new assignment holds from today: the current month now counts under the new office, in the reports too.
        var month = Period.Containing(clock.GetUtcNow());
        foreach (var (nip, from, to) in moved) ReportAggregates.MoveEmployeeMonth(tx, policies, regencyCode, month, nip, from, to);
        ReportClosedMonthsTouched(tx, callerId, requestId, regencyCode, statusChanged, results);

        var response = new SyncEmployeesResponse { RequestId = requestId };
        foreach (var row in rows) response.Results.Add(row.Rejection ?? results[row.Index]);
        return response;
    }

    /// <summary>
    /// A new status (or a new employee) takes effect from its effective date, which may lie in months already closed: those
    /// keep the roster their close saw (<see cref="ClosedMonths"/>). Each such row's result names them, and the audit trail
    /// keeps them. Changes of office, class, type, echelon or TPP ceiling hold from today and reach no closed month.
    /// </summary>
    private void ReportClosedMonthsTouched(WriteTransaction tx, string callerId, string requestId, string regencyCode,
        List<Employee> statusChanged, SyncEmployeeResult[] results)
    {
        if (statusChanged.Count == 0) return;
        var closed = ClosedMonths.From(tx, regencyCode, statusChanged.Min(e => e.StatusEffectiveDate));
        if (closed.Count == 0) return;
        var touched = new SortedSet<Period>();
        var rowsTouched = 0;
        var byNip = results.Where(r => r is not null).ToDictionary(r => r.Nip, StringComparer.Ordinal);
        foreach (var employee in statusChanged)
        {
            var months = closed.Where(m => m.LastDay >= employee.StatusEffectiveDate).ToList();
            if (months.Count == 0) continue;
            rowsTouched++;
            touched.UnionWith(months);
            byNip[employee.Nip].ClosedPeriodsTouched.AddRange(months.Select(m => m.ToString()));
        }
        ClosedMonths.Audit(tx, audit, callerId, Method, requestId, regencyCode, touched,
            $"{rowsTouched} roster row(s) with a status taking effect in a closed month");
    }

    /// <summary>The employees as the JSON array of row arrays the set-based statements read.</summary>
    private static string RowsJson(List<Employee> employees)
    {
        var buffer = new ArrayBufferWriter<byte>(employees.Count * 128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var e in employees)
            {
                json.WriteStartArray();
                json.WriteStringValue(e.Nip);
                json.WriteStringValue(e.Name);
                json.WriteStringValue(e.OfficeCode);
                json.WriteNumberValue(e.KelasJabatan);
                json.WriteNumberValue((int)e.EmploymentType);
                json.WriteNumberValue((int)e.Echelon);
                json.WriteNumberValue(e.TppCeilingRupiah);
                json.WriteNumberValue((int)e.Status);
                json.WriteStringValue(DateText(e.StatusEffectiveDate));
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The stored rows of the chunk's valid NIPs, in one query.</summary>
    private static Dictionary<string, StoredEmployee> LoadStored(WriteTransaction tx, List<SyncRow> rows)
    {
        var nips = rows.Select(r => r.Nip).ToList();
        var stored = new Dictionary<string, StoredEmployee>(nips.Count, StringComparer.Ordinal);
        if (nips.Count == 0) return stored;
        using var reader = tx.Command(SelectEmployeesSql).Bind("$nips", JsonSerializer.Serialize(nips)).ExecuteReader();
        while (reader.Read())
        {
            stored[reader.GetString(0)] = new StoredEmployee(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                (EmploymentType)reader.GetInt32(5), (Echelon)reader.GetInt32(6), reader.GetInt64(7),
                (EmployeeStatus)reader.GetInt32(8), reader.GetString(9));
        }
        return stored;
    }

    /// <summary>Adds or renames the offices the stored rows name, writing only those that differ.</summary>
    private static void UpsertOffices(WriteTransaction tx, string regencyCode, Dictionary<string, string> offices)
    {
        if (offices.Count == 0) return;
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = tx.Command(SelectOfficesSql)
                   .Bind("$codes", JsonSerializer.Serialize(offices.Keys))
                   .Bind("$regency", regencyCode)
                   .ExecuteReader())
        {
            while (reader.Read()) known[reader.GetString(0)] = reader.GetString(1);
        }
        foreach (var (code, name) in offices)
        {
            if (known.TryGetValue(code, out var knownName) && knownName == name) continue;
            tx.Command(UpsertOfficeSql).Bind("$regency", regencyCode).Bind("$code", code).Bind("$name", name).ExecuteNonQuery();
        }
    }

    /// <summary>A date as the database stores it (EF Core's SQLite form of <see cref="DateOnly"/>).</summary>
    private static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static SyncEmployeeResult Rejected(int index, string nip, string reason, string field, string description) => new()
    {
        Index = index, Nip = nip, Outcome = SyncOutcome.Rejected, Reason = reason, Field = field, Description = description,
    };

    /// <summary>A row after its own checks: the employee to store, or the rejection.</summary>
    private sealed record SyncRow(int Index, string Nip, Employee? Employee, string OfficeName, SyncEmployeeResult? Rejection);

    /// <summary>An employee as stored, to compare a synced row with.</summary>
    private sealed record StoredEmployee(
        string RegencyCode, string Name, string OfficeCode, int KelasJabatan, EmploymentType EmploymentType,
        Echelon Echelon, long TppCeilingRupiah, EmployeeStatus Status, string StatusEffectiveDate)
    {
        public bool Matches(Employee e) =>
            Name == e.Name && SameAssignment(e) && Status == e.Status && StatusEffectiveDate == DateText(e.StatusEffectiveDate);

        /// <summary>Whether what the employee's month is priced by (<see cref="EmployeeAssignment"/>) is unchanged.</summary>
        public bool SameAssignment(Employee e) =>
            OfficeCode == e.OfficeCode && KelasJabatan == e.KelasJabatan && EmploymentType == e.EmploymentType
            && Echelon == e.Echelon && TppCeilingRupiah == e.TppCeilingRupiah;
    }
}
