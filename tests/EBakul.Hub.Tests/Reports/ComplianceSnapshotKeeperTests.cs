using System.Globalization;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Reports.V1;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Reports;

/// <summary>
/// The kept compliance evaluations are built and refreshed in the background (ComplianceSnapshotKeeper, and the
/// DatabaseInitializer's build of the months a migration listed), so that a compliance report finds them ready; what the
/// report then answers still equals a fresh evaluation (QuotaService).
/// </summary>
public sealed class ComplianceSnapshotKeeperTests : IDisposable
{
    /// <summary>Long enough for a round on a loaded machine; a test waits for what the keeper does, never for a time.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly List<HubFactory> _hubs = [];

    public void Dispose()
    {
        foreach (var hub in _hubs) hub.Dispose();
    }

    private HubFactory Hub(bool keeper = true, string? path = null)
    {
        var hub = new HubFactory(path ?? HubFactory.NewDatabasePath());
        hub.Settings["Reports:MinimumGroupSize"] = "1";
        if (keeper) hub.Settings["Reports:ComplianceRefreshInterval"] = "00:00:00.200";
        _hubs.Add(hub);
        return hub;
    }

    private static async Task<ComplianceReport> ReportAsync(HubFactory hub, string period) =>
        (await new ReportService.ReportServiceClient(hub.Channel).GetComplianceReportAsync(
            new GetComplianceReportRequest { RegencyCode = Regency, Period = period })).Report;

    /// <summary>
    /// The report of a month the background has brought up to date: it writes nothing (the held row stays as it is) and
    /// equals QuotaService's evaluation.
    /// </summary>
    private static async Task<ComplianceReport> ReportThatOnlyReadsAsync(HubFactory hub, string period)
    {
        var before = Held(hub, period);
        var report = await ReportAsync(hub, period);
        Assert.Equal(before, Held(hub, period));
        await ComplianceReportTests.AssertEqualsQuotaComplianceAsync(new EBakul.Quota.V1.QuotaService.QuotaServiceClient(hub.Channel), report, period);
        return report;
    }

    /// <summary>What compliance_months holds for the regency's month (policy version, ledger sequence, change id, refreshed at); null when nothing.</summary>
    private static (int Version, long Sequence, long ChangeId, long RefreshedAt)? Held(HubFactory hub, string period)
    {
        using var connection = TestStore.Open(hub.DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT policy_version, ledger_sequence, change_id, refreshed_at FROM compliance_months " +
                              $"WHERE regency_code = '{Regency}' AND period_key = {PeriodKey(period)}";
        using var rows = command.ExecuteReader();
        return rows.Read() ? (Convert.ToInt32(rows.GetValue(0)), rows.GetInt64(1), rows.GetInt64(2), rows.GetInt64(3)) : null;
    }

    private static long Scalar(HubFactory hub, string sql)
    {
        using var connection = TestStore.Open(hub.DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    private static int PeriodKey(string period) => int.Parse(period.Replace("-", ""), CultureInfo.InvariantCulture);

    private static long LastLedgerSequence(HubFactory hub) => Scalar(hub, "SELECT MAX(sequence) FROM ledger_entries");

    private static long EmployeeRows(HubFactory hub, string period) =>
        Scalar(hub, $"SELECT COUNT(*) FROM compliance_employee_months WHERE regency_code = '{Regency}' AND period_key = {PeriodKey(period)}");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {Patience.TotalSeconds:F0} s: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_month_that_begins_is_built_in_the_background_and_its_report_only_reads()
    {
        var hub = Hub();
        var payroll = new PayrollArrange(hub);
        var people = await payroll.SeptemberAsync();

        // November begins: its first purchase, and no report of it.
        const string november = "2025-11";
        hub.Clock.Set(Wib(2025, 11, 1, 8));
        await payroll.Quota.PurchaseAsync(people.Short, people.MerchantB, 100_000, Wib(2025, 11, 1, 7));
        var last = LastLedgerSequence(hub);
        await WaitUntilAsync(() => Held(hub, november) is { Version: > 0 } held && held.Sequence >= last, "November built up to its purchase");
        Assert.True(EmployeeRows(hub, november) > 0);
        // October, now the previous month, is kept too.
        await WaitUntilAsync(() => Held(hub, October) is { Version: > 0 } held && held.Sequence >= last, "October kept");

        var report = await ReportThatOnlyReadsAsync(hub, november);
        Assert.Equal(EmployeeRows(hub, november), report.Total.EmployeeCount);
    }

    [Fact]
    public async Task A_new_policy_version_is_absorbed_before_any_report()
    {
        var hub = Hub();
        var payroll = new PayrollArrange(hub);
        var people = await payroll.SeptemberAsync();
        const string november = "2025-11";
        var first = (await ReportAsync(hub, november)).PolicyVersion;
        Assert.Equal(first, Held(hub, november)?.Version);

        // A version for November, set in October; then November begins.
        var version = (await payroll.Quota.SetPolicyAsync(Draft(november, d => d.MerchantCapBasisPoints = 2000))).Version;
        Assert.NotEqual(first, version);
        hub.Clock.Set(Wib(2025, 11, 3));
        await payroll.Quota.PurchaseAsync(people.Capped, people.MerchantA, 900_000, Wib(2025, 11, 2));
        var last = LastLedgerSequence(hub);
        await WaitUntilAsync(() => Held(hub, november) is { } held && held.Version == version && held.Sequence >= last, "November held under the new version");

        Assert.Equal(version, (await ReportThatOnlyReadsAsync(hub, november)).PolicyVersion);
    }

    /// <summary>
    /// The keeper deletes the change positions its months have passed; an older month built earlier that still needed
    /// one of them is forgotten in the same write and evaluated whole when asked for again, so the change is not lost.
    /// </summary>
    [Fact]
    public async Task Trimmed_changes_are_not_lost_to_an_older_month()
    {
        var hub = Hub();
        var payroll = new PayrollArrange(hub);
        var people = await payroll.SeptemberAsync();
        // August, older than the months kept in October: built by its report.
        const string august = "2025-08";
        await payroll.Quota.PurchaseAsync(people.Compliant, people.MerchantA, 150_000, Wib(2025, 8, 20));
        var built = await ReportAsync(hub, august);
        Assert.NotNull(Held(hub, august));

        // A change that concerns August only: Nothing exempted for it.
        await payroll.Quota.Quota.GrantQuotaExemptionAsync(new EBakul.Quota.V1.GrantQuotaExemptionRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, Nip = people.Nothing, Period = august, Reason = "tugas belajar",
        });
        await WaitUntilAsync(() => Held(hub, august) is null, "August forgotten by the trim");
        Assert.Equal(0, Scalar(hub, "SELECT COUNT(*) FROM compliance_changes"));
        Assert.NotNull(Held(hub, September));
        Assert.NotNull(Held(hub, October));

        var report = await ReportAsync(hub, august);
        await ComplianceReportTests.AssertEqualsQuotaComplianceAsync(payroll.Quota.Quota, report, august);
        Assert.Equal(built.Total.ExemptCount + 1, report.Total.ExemptCount);
        // September, kept, took the change in before the trim.
        await ComplianceReportTests.AssertEqualsQuotaComplianceAsync(payroll.Quota.Quota, await ReportAsync(hub, September), September);
    }

    /// <summary>
    /// A ledger that was there before the evaluations were kept: the migration lists its months (policy version 0) and the
    /// initializer builds them in the background after the start, before any report.
    /// </summary>
    [Fact]
    public async Task The_months_a_migration_lists_are_built_in_the_background_after_the_start()
    {
        var path = HubFactory.NewDatabasePath();
        var first = Hub(keeper: false, path: path);
        await new PayrollArrange(first).SeptemberAsync();
        first.Dispose();
        using (var connection = TestStore.Open(path))
        {
            foreach (var sql in new[]
            {
                "DELETE FROM compliance_employee_months", "DELETE FROM compliance_months",
                // The migration's own list (ComplianceSnapshots migration).
                "INSERT INTO compliance_months (regency_code, period_key, policy_version, ledger_sequence, change_id, refreshed_at) " +
                "SELECT DISTINCT regency_code, period_key, 0, 0, 0, 0 FROM ledger_entries",
            })
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }

        var hub = Hub(keeper: false, path: path);
        _ = hub.Services; // starts the hub
        var last = Scalar(hub, "SELECT MAX(sequence) FROM ledger_entries");
        await WaitUntilAsync(() => Held(hub, September) is { Version: > 0 } held && held.Sequence == last, "September built after the start");
        Assert.True(EmployeeRows(hub, September) > 0);

        await ReportThatOnlyReadsAsync(hub, September);
    }
}
