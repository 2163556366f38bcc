namespace EBakul.Hub.Domain.Roster;

/// <summary>PNS or PPPK. Numbers match <c>ebakul.roster.v1.EmploymentType</c>.</summary>
public enum EmploymentType
{
    /// <summary>Pegawai Negeri Sipil.</summary>
    Pns = 1,
    /// <summary>Pegawai Pemerintah dengan Perjanjian Kerja.</summary>
    Pppk = 2,
}

/// <summary>Structural echelon. Numbers match <c>ebakul.roster.v1.Echelon</c>.</summary>
public enum Echelon
{
    /// <summary>No echelon.</summary>
    NonStructural = 1,
    /// <summary>I.a</summary>
    IA = 2,
    /// <summary>I.b</summary>
    IB = 3,
    /// <summary>II.a</summary>
    IIA = 4,
    /// <summary>II.b</summary>
    IIB = 5,
    /// <summary>III.a</summary>
    IIIA = 6,
    /// <summary>III.b</summary>
    IIIB = 7,
    /// <summary>IV.a</summary>
    IVA = 8,
    /// <summary>IV.b</summary>
    IVB = 9,
}

/// <summary>Employment status. Numbers match <c>ebakul.roster.v1.EmployeeStatus</c>.</summary>
public enum EmployeeStatus
{
    /// <summary>Working.</summary>
    Active = 1,
    /// <summary>On leave.</summary>
    OnLeave = 2,
    /// <summary>Left the regency's service.</summary>
    Left = 3,
}

/// <summary>A civil servant as last synced from the personnel system (table <c>employees</c>).</summary>
public sealed class Employee
{
    /// <summary>NIP, 18 digits; unique across the hub.</summary>
    public required string Nip { get; init; }
    /// <summary>The regency served.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Full name.</summary>
    public required string Name { get; set; }
    /// <summary>Office (OPD) code.</summary>
    public required string OfficeCode { get; set; }
    /// <summary>Kelas jabatan 1-17.</summary>
    public int KelasJabatan { get; set; }
    /// <summary>PNS or PPPK.</summary>
    public EmploymentType EmploymentType { get; set; }
    /// <summary>Echelon.</summary>
    public Echelon Echelon { get; set; }
    /// <summary>Monthly TPP ceiling in whole rupiah.</summary>
    public long TppCeilingRupiah { get; set; }
    /// <summary>Current status.</summary>
    public EmployeeStatus Status { get; set; }
    /// <summary>The Jakarta date the current status took effect.</summary>
    public DateOnly StatusEffectiveDate { get; set; }
    /// <summary>When a sync last created or changed this employee.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// An office (OPD) of a regency (table <c>offices</c>), named by the personnel system with each sync.
/// </summary>
public sealed class Office
{
    /// <summary>The regency.</summary>
    public required string RegencyCode { get; init; }
    /// <summary>Office code.</summary>
    public required string Code { get; init; }
    /// <summary>Office name.</summary>
    public required string Name { get; set; }
}

/// <summary>
/// One status of an employee from a date on (table <c>employee_status_changes</c>): the timeline from which
/// the days an employee was active in a month are counted.
/// </summary>
public sealed class EmployeeStatusChange
{
    /// <summary>Row number.</summary>
    public long Id { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The status from <see cref="EffectiveDate"/> on.</summary>
    public EmployeeStatus Status { get; init; }
    /// <summary>The Jakarta date it took effect.</summary>
    public DateOnly EffectiveDate { get; init; }
    /// <summary>When the hub learned it.</summary>
    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>
/// What an employee's month is priced by, from a date on (table <c>employee_assignments</c>): office, kelas jabatan,
/// employment type, echelon and TPP ceiling. The roster row (<see cref="Employee"/>) always holds today's values; the
/// history starts at the first change a sync brings: the values held until then are kept from
/// <see cref="SinceAlways"/>, the new ones from the sync's Jakarta date. An employee without rows has never changed,
/// and the roster row applies to every month. A month is evaluated by the assignment in force on its last day
/// (<see cref="EffectivePeriodKey"/> at most the month's key, the latest date first, the latest row first on one date).
/// </summary>
public sealed class EmployeeAssignment
{
    /// <summary>The date of the assignment held before the first change a sync brought.</summary>
    public static readonly DateOnly SinceAlways = new(1, 1, 1);

    /// <summary>Row number.</summary>
    public long Id { get; init; }
    /// <summary>The employee.</summary>
    public required string Nip { get; init; }
    /// <summary>The Jakarta date it took effect.</summary>
    public DateOnly EffectiveDate { get; init; }
    /// <summary>The month of <see cref="EffectiveDate"/> (<see cref="Period.Key"/>): compared with a ledger entry's month in SQL.</summary>
    public int EffectivePeriodKey { get; init; }
    /// <summary>Office (OPD) code.</summary>
    public required string OfficeCode { get; init; }
    /// <summary>Kelas jabatan 1-17.</summary>
    public int KelasJabatan { get; init; }
    /// <summary>PNS or PPPK.</summary>
    public EmploymentType EmploymentType { get; init; }
    /// <summary>Echelon.</summary>
    public Echelon Echelon { get; init; }
    /// <summary>Monthly TPP ceiling in whole rupiah.</summary>
    public long TppCeilingRupiah { get; init; }
    /// <summary>When the hub learned it.</summary>
    public DateTimeOffset RecordedAt { get; init; }
}
