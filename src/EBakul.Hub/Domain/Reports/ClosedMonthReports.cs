using System.Collections.Concurrent;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Payroll;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// The spending reports of closed months, computed once per close and kept in memory. A closed month changes only through
/// a correction, which reopens it (status <see cref="PeriodStatus.Correcting"/>) and closes it again with the next
/// revision; purchases and voids of a closed month are refused, and an office move only ever moves the current month,
/// which cannot be closed yet. So a month read as <see cref="PeriodStatus.Closed"/> at revision R has the aggregates of
/// its R-th close, on every replica: a report of it is keyed by the regency, the month, the revision, the policy version
/// and the request's shape (office, length of the top lists), and an entry of an earlier revision is dropped as soon as a
/// later revision (or a month no longer closed) is read. Names (offices, merchants) are not kept: the report puts the
/// current ones in at each answer, as a report computed anew would. The compliance report's corrections in force (which
/// only a close writes) are kept the same way; its other figures are the evaluation's as of now and are read each time.
/// </summary>
public sealed class ClosedMonthReports
{
    /// <summary>Most reports kept; when more would be, every entry is dropped (they are computed again as asked).</summary>
    public const int MostReportsKept = 2_000;

    private const string StateSql = "SELECT p.status, p.revision FROM period_states p WHERE p.regency_code = @regency AND p.period_key = @period";

    private readonly ConcurrentDictionary<Key, SpendingReport> _reports = new();

    /// <summary>The corrections in force per office of a closed month, by regency, month and revision.</summary>
    private readonly ConcurrentDictionary<(string RegencyCode, int PeriodKey, int Revision), IReadOnlyDictionary<string, (int Employees, long Rupiah)>>
        _corrections = new();

    /// <summary>Reports kept now (for tests).</summary>
    public int Count => _reports.Count;

    /// <summary>
    /// The revision of the month's latest close when the month is closed now (read on the context's connection, in its
    /// read snapshot), or null when it is open, being closed or being corrected. Drops what is kept of the month's other
    /// revisions.
    /// </summary>
    public async Task<int?> ClosedRevisionAsync(HubDbContext db, string regencyCode, Period period, CancellationToken cancellationToken) =>
        (await StateAsync(db, regencyCode, period, cancellationToken)).Closed;

    /// <summary>
    /// Whether the month was closed at least once, and the TPP corrections in force per office (<see cref="ReportSql.CorrectionsInForce"/>):
    /// read once per close, since a close alone writes adjustments.
    /// </summary>
    public async Task<(bool ClosedOnce, IReadOnlyDictionary<string, (int Employees, long Rupiah)> Corrections)> CorrectionsAsync(HubDbContext db,
        string regencyCode, Period period, CancellationToken cancellationToken)
    {
        var (closed, closedOnce) = await StateAsync(db, regencyCode, period, cancellationToken);
        if (closed is { } revision && _corrections.TryGetValue((regencyCode, period.Key, revision), out var kept)) return (closedOnce, kept);
        var corrections = new Dictionary<string, (int Employees, long Rupiah)>(StringComparer.Ordinal);
        await ReportSql.ReadAsync(db, ReportSql.CorrectionsInForce, new Dictionary<string, object> { ["@regency"] = regencyCode, ["@period"] = period.Key },
            rows => corrections[rows.GetString(0)] = (rows.GetInt32(1), rows.GetInt64(2)), cancellationToken);
        if (closed is { } read)
        {
            if (_corrections.Count >= MostReportsKept) _corrections.Clear();
            _corrections[(regencyCode, period.Key, read)] = corrections;
        }
        return (closedOnce, corrections);
    }

    /// <summary>
    /// The month's state: the revision of its latest close when it is closed now (else null), and whether it was closed
    /// at least once. Drops what is kept of the month's other revisions.
    /// </summary>
    private async Task<(int? Closed, bool ClosedOnce)> StateAsync(HubDbContext db, string regencyCode, Period period, CancellationToken cancellationToken)
    {
        PeriodStatus? status = null;
        var revision = 0;
        await ReportSql.ReadAsync(db, StateSql, new Dictionary<string, object> { ["@regency"] = regencyCode, ["@period"] = period.Key }, rows =>
        {
            status = (PeriodStatus)rows.GetInt32(0);
            revision = rows.GetInt32(1);
        }, cancellationToken);
        int? closed = status == PeriodStatus.Closed ? revision : null;
        foreach (var key in _reports.Keys)
            if (key.RegencyCode == regencyCode && key.PeriodKey == period.Key && key.Revision != closed) _reports.TryRemove(key, out _);
        foreach (var key in _corrections.Keys)
            if (key.RegencyCode == regencyCode && key.PeriodKey == period.Key && key.Revision != closed) _corrections.TryRemove(key, out _);
        return (closed, revision > 0);
    }

    /// <summary>The report kept for this close and shape, or null.</summary>
    public SpendingReport? Find(string regencyCode, Period period, int revision, int policyVersion, string? officeCode, int topMerchantCount) =>
        _reports.GetValueOrDefault(new Key(regencyCode, period.Key, revision, policyVersion, officeCode, topMerchantCount));

    /// <summary>Keeps the report of this close and shape.</summary>
    public void Keep(string regencyCode, Period period, int revision, int policyVersion, string? officeCode, int topMerchantCount, SpendingReport report)
    {
        if (_reports.Count >= MostReportsKept) _reports.Clear();
        _reports[new Key(regencyCode, period.Key, revision, policyVersion, officeCode, topMerchantCount)] = report;
    }

    private readonly record struct Key(string RegencyCode, int PeriodKey, int Revision, int PolicyVersion, string? OfficeCode, int TopMerchantCount);
}
