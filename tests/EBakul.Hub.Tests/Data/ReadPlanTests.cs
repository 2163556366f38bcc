using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using EBakul.Audit.V1;
using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Payroll;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Quota.V1;
using EBakul.Reports.V1;
using EBakul.Roster.V1;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Npgsql;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Data;

/// <summary>
/// Every query a read of the hub issues (each List*, Get*, Stream*, search, evaluation and report RPC, first and next
/// pages, with and without their filters; the regions are served from configuration) finds its rows through an index:
/// no full scan of the ledger, the merchants, the employees or the adjustments, whose size grows with the regency and
/// its months. A page's cost must follow the page, not the table.
/// <para>
/// How: the RPCs are called over a real channel on a database holding a closed month (adjustments, a dispute), a void
/// and the other rows each read needs. Every statement the hub runs meanwhile is captured as it runs, with its
/// parameters: EF Core's queries through EF Core's diagnostic listener, the hand-written ones (reports, evaluations,
/// snapshots) through <see cref="StoreDialect.ReadCommands"/>. Each is then explained on the same database with the same
/// parameters. On SQLite (no statistics on these tables, so the planner assumes large ones) a full scan is a
/// <c>SCAN</c> of the table (by name or alias) without <c>USING INDEX</c>, an automatic index built on it, or its rows
/// found by the regency alone and then sorted (a page that reads the whole regency: every row, at a hub of one regency).
/// On PostgreSQL the plan is taken with <c>enable_seqscan = off</c>, so a <c>Seq Scan</c> node left on one of the tables is
/// one no index can replace; its choice between sorting and an ordered index depends on statistics these small tables
/// do not have, so there only the scans are judged (the <c>reads</c> benchmark times the pages at province scale).
/// </para>
/// </summary>
public sealed partial class ReadPlanTests : IDisposable
{
    /// <summary>Tables whose full scan a read must never need.</summary>
    private static readonly string[] GuardedTables = ["ledger_entries", "merchants", "employees", "payroll_adjustments"];

    private const string Regency = EBakul.Hub.Tests.Quota.QuotaArrange.Regency;

    private readonly HubFactory _hub = new();
    private readonly PayrollArrange _arrange;

    public ReadPlanTests() => _arrange = new PayrollArrange(_hub);

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Every_list_get_and_stream_read_uses_an_index_on_the_ledger_merchants_employees_and_adjustments()
    {
        // Listening from the start: EF Core rechecks whether anyone listens about once a second, not on every command.
        using var capture = new StatementCapture(_hub.DatabasePath);
        var p = await _arrange.SeptemberAsync();
        await _arrange.CloseAsync(September);
        var adjustments = await _arrange.AdjustmentsAsync(September);
        var payroll = _arrange.Payroll;
        var filed = await payroll.FileDisputeAsync(new FileDisputeRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, AdjustmentKey = adjustments[0].IdempotencyKey,
            Reason = DisputeReason.PurchaseMissing, Text = "nota belum tercatat", EvidenceReferences = { "NT-1" },
        });
        var quota = _arrange.Quota;
        var october = await quota.PurchaseAsync(p.Compliant, p.MerchantA, 20_000, Wib(2025, 10, 2));
        var voided = await quota.PurchaseAsync(p.Compliant, p.MerchantB, 30_000, Wib(2025, 10, 3));
        await quota.VoidAsync(voided.PurchaseId);

        var ledger = new LedgerService.LedgerServiceClient(_hub.Channel);
        var merchants = new MerchantService.MerchantServiceClient(_hub.Channel);
        var roster = new RosterService.RosterServiceClient(_hub.Channel);

        // EF Core caches whether anyone listens to its diagnostics (about a second, per context): in a full run other tests'
        // contexts may have cached "no one" just before the capture subscribed. Read until the capture sees EF's commands.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (!capture.Statements.Any(s => s.Read == "warm-up") && warmUp.Elapsed < TimeSpan.FromSeconds(30))
        {
            await capture.During("warm-up", async () => await merchants.GetMerchantAsync(new() { RegencyCode = Regency, MerchantId = p.MerchantA }));
            if (!capture.Statements.Any(s => s.Read == "warm-up")) await Task.Delay(250);
        }
        Assert.True(capture.Statements.Any(s => s.Read == "warm-up"), "EF Core's commands never reached the capture");
        // Each pooled context keeps its own answer for up to EF Core's logging cache time (one second): a context last used
        // before the capture subscribed (the hub's start, the arrangement) may still say "no one listens" until then. On a
        // fast machine everything above takes less than that: wait until every such answer has run out.
        await capture.UntilEveryContextHearsAsync();
        capture.Reads.RemoveAll(r => r == "warm-up");
        lock (capture.Statements) capture.Statements.RemoveAll(s => s.Read == "warm-up");
        var quotas = new QuotaService.QuotaServiceClient(_hub.Channel);
        var reports = new ReportService.ReportServiceClient(_hub.Channel);
        var audit = new AuditService.AuditServiceClient(_hub.Channel);

        // Each read, and its next page when it has one (page size 1, so that there is a next page to ask).
        await capture.During("ListPurchases", async () =>
        {
            var first = await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, PageSize = 1 });
            await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, PageSize = 1, PageToken = first.NextPageToken });
            await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, Period = October });
        });
        await capture.During("ListPurchases by employee", async () =>
        {
            await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, EmployeeNip = p.Compliant });
            await ledger.ListPurchasesAsync(new() { RegencyCode = Regency, EmployeeNip = p.Compliant, Period = September });
        });
        await capture.During("ListPurchases by merchant", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, MerchantId = p.MerchantA }).ResponseAsync);
        await capture.During("ListPurchases by office", () => ledger.ListPurchasesAsync(new() { RegencyCode = Regency, OfficeCode = Health }).ResponseAsync);
        await capture.During("GetPurchase", () => ledger.GetPurchaseAsync(new() { RegencyCode = Regency, PurchaseId = voided.PurchaseId }).ResponseAsync);
        await capture.During("StreamLedgerEntries", async () =>
        {
            using var call = ledger.StreamLedgerEntries(new() { RegencyCode = Regency });
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });

        await capture.During("GetMerchant", () => merchants.GetMerchantAsync(new() { RegencyCode = Regency, MerchantId = p.MerchantA }).ResponseAsync);
        await capture.During("ListMerchants", async () =>
        {
            var first = await merchants.ListMerchantsAsync(new() { RegencyCode = Regency, PageSize = 1 });
            await merchants.ListMerchantsAsync(new() { RegencyCode = Regency, PageSize = 1, PageToken = first.NextPageToken });
            await merchants.ListMerchantsAsync(new() { RegencyCode = Regency, Status = EBakul.Merchants.V1.MerchantStatus.Active, Category = MerchantCategory.FoodAndDrink });
        });
        await capture.During("SearchNearbyMerchants", () => merchants.SearchNearbyMerchantsAsync(new()
        {
            RegencyCode = Regency, Point = new GeoPoint { Latitude = -7.15, Longitude = 111.88 }, RadiusMeters = 5_000,
        }).ResponseAsync);

        await capture.During("GetEmployee", () => roster.GetEmployeeAsync(new() { RegencyCode = Regency, Nip = p.Compliant }).ResponseAsync);
        await capture.During("ListEmployees", async () =>
        {
            var first = await roster.ListEmployeesAsync(new() { RegencyCode = Regency, PageSize = 1 });
            await roster.ListEmployeesAsync(new() { RegencyCode = Regency, PageSize = 1, PageToken = first.NextPageToken });
            await roster.ListEmployeesAsync(new() { RegencyCode = Regency, OfficeCode = Health });
        });

        await capture.During("GetQuotaPolicy", () => quotas.GetQuotaPolicyAsync(new() { RegencyCode = Regency, Period = October }).ResponseAsync);
        await capture.During("ListQuotaPolicies", () => quotas.ListQuotaPoliciesAsync(new() { RegencyCode = Regency }).ResponseAsync);
        await capture.During("ListQuotaExemptions", () => quotas.ListQuotaExemptionsAsync(new() { RegencyCode = Regency, Period = September }).ResponseAsync);
        await capture.During("EvaluateEmployee", () => quotas.EvaluateEmployeeAsync(new() { RegencyCode = Regency, Nip = p.Compliant, Period = October }).ResponseAsync);
        await capture.During("GetOfficeCompliance", () => quotas.GetOfficeComplianceAsync(new() { RegencyCode = Regency, OfficeCode = Health, Period = October }).ResponseAsync);
        await capture.During("GetRegencyCompliance", () => quotas.GetRegencyComplianceAsync(new() { RegencyCode = Regency, Period = October }).ResponseAsync);
        await capture.During("StreamEmployeeEvaluations", async () =>
        {
            using var call = quotas.StreamEmployeeEvaluations(new() { RegencyCode = Regency, Period = October });
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });

        await capture.During("GetPeriod", () => payroll.GetPeriodAsync(new() { RegencyCode = Regency, Period = September }).ResponseAsync);
        await capture.During("ListAdjustments", async () =>
        {
            var first = await payroll.ListAdjustmentsAsync(new() { RegencyCode = Regency, Period = September, PageSize = 1 });
            await payroll.ListAdjustmentsAsync(new() { RegencyCode = Regency, Period = September, PageSize = 1, PageToken = first.NextPageToken });
            await payroll.ListAdjustmentsAsync(new() { RegencyCode = Regency, Period = September, DeliveryState = DeliveryState.Pending });
        });
        await capture.During("StreamAdjustments", async () =>
        {
            using var call = payroll.StreamAdjustments(new() { RegencyCode = Regency });
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });
        await capture.During("ListAdjustmentDeliveries", () => payroll.ListAdjustmentDeliveriesAsync(new() { RegencyCode = Regency, Period = September }).ResponseAsync);
        await capture.During("GetEmployeeStatement", () => payroll.GetEmployeeStatementAsync(new() { RegencyCode = Regency, Nip = p.Short, Period = September }).ResponseAsync);
        await capture.During("GetDispute", () => payroll.GetDisputeAsync(new() { RegencyCode = Regency, DisputeId = filed.Dispute.DisputeId }).ResponseAsync);
        await capture.During("ListDisputes", () => payroll.ListDisputesAsync(new() { RegencyCode = Regency, Period = September }).ResponseAsync);

        await capture.During("GetSpendingReport", async () =>
        {
            await reports.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = September });
            await reports.GetSpendingReportAsync(new() { RegencyCode = Regency, Period = September, OfficeCode = Health });
        });
        await capture.During("GetSpendingTrend", () => reports.GetSpendingTrendAsync(new() { RegencyCode = Regency, EndPeriod = October, Months = 3 }).ResponseAsync);
        await capture.During("GetComplianceReport", async () =>
        {
            await reports.GetComplianceReportAsync(new() { RegencyCode = Regency, Period = September });
            await reports.GetComplianceReportAsync(new() { RegencyCode = Regency, Period = October, OfficeCode = Health });
        });
        await capture.During("BatchGetSpendingReports", () => reports.BatchGetSpendingReportsAsync(new() { RegencyCodes = { Regency }, Period = September }).ResponseAsync);
        await capture.During("BatchGetComplianceReports", () => reports.BatchGetComplianceReportsAsync(new() { RegencyCodes = { Regency }, Period = September }).ResponseAsync);
        await capture.During("ExportReport", async () =>
        {
            using var call = reports.ExportReport(new() { RegencyCode = Regency, Period = September, Report = ReportKind.SpendingByKecamatan });
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });

        await capture.During("ListAuditEvents", async () =>
        {
            var first = await audit.ListAuditEventsAsync(new() { RegencyCode = Regency, PageSize = 1 });
            await audit.ListAuditEventsAsync(new() { RegencyCode = Regency, PageSize = 1, PageToken = first.NextPageToken });
        });

        // Every read was seen running queries (the capture works), and the void's own read is among them.
        var silent = capture.Reads.Where(r => !capture.Statements.Any(s => s.Read == r)).ToList();
        Assert.True(silent.Count == 0, $"no query captured during {string.Join(", ", silent)}");
        Assert.Contains(capture.Statements, s => s.Read == "ListPurchases" && s.Sql.Contains("reverses_entry_id", StringComparison.Ordinal));

        var scans = new List<string>();
        foreach (var statement in capture.Statements.DistinctBy(s => s.Sql))
        {
            var found = TestStore.IsPostgres ? PostgresFullScans(statement) : SqliteFullScans(statement);
            if (found is not null) scans.Add($"{statement.Read}: {found}\n    {statement.Sql}");
        }
        Assert.True(scans.Count == 0, $"{scans.Count} read quer{(scans.Count == 1 ? "y scans" : "ies scan")} a whole table:\n" + string.Join("\n", scans));
    }

    /// <summary>The guarded tables a statement scans in full on SQLite, with its plan; null when none.</summary>
    private string? SqliteFullScans(CapturedStatement statement)
    {
        // The plan names a table by its alias when it has one: every alias the statement gives a guarded table.
        var guarded = new HashSet<string>(GuardedTables, StringComparer.OrdinalIgnoreCase);
        foreach (System.Text.RegularExpressions.Match match in TableAlias().Matches(statement.Sql))
            if (GuardedTables.Contains(match.Groups["table"].Value, StringComparer.OrdinalIgnoreCase)) guarded.Add(match.Groups["alias"].Value);
        using var connection = new SqliteConnection($"Data Source={_hub.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var plan = new List<string>();
        var scans = new List<string>();
        var regencyWide = new List<string>();
        using (var eqp = Replay(connection, "EXPLAIN QUERY PLAN " + statement.Sql, statement))
        using (var rows = eqp.ExecuteReader())
        {
            while (rows.Read())
            {
                var detail = rows.GetString(3);
                plan.Add(detail);
                // SCAN t: every row of the table; SCAN t USING [COVERING] INDEX walks an index instead, in its order (a page
                // stops at its limit). An automatic index is built from every row of the table first.
                var words = detail.Split(' ');
                if (words.Length >= 2 && guarded.Contains(words[1])
                    && ((words[0] == "SCAN" && !detail.Contains(" USING ", StringComparison.Ordinal)) || detail.Contains("AUTOMATIC", StringComparison.Ordinal)))
                    scans.Add(detail);
                // Found by the regency alone, then sorted for the page: every row of the regency is read (all rows, at a
                // hub of one regency) however small the page.
                else if (words.Length >= 2 && guarded.Contains(words[1]) && words[0] == "SEARCH" && detail.EndsWith("(regency_code=?)", StringComparison.Ordinal))
                    regencyWide.Add(detail);
            }
        }
        if (plan.Contains("USE TEMP B-TREE FOR ORDER BY")) scans.AddRange(regencyWide.Select(d => d + " sorted for the page"));
        return scans.Count == 0 ? null : $"{string.Join(", ", scans)} (plan: {string.Join("; ", plan)})";
    }

    [System.Text.RegularExpressions.GeneratedRegex("""(?:FROM|JOIN)\s+"?(?<table>\w+)"?\s+(?:AS\s+)?"?(?<alias>\w+)"?""", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex TableAlias();


    /// <summary>The guarded tables a statement scans in full on PostgreSQL, with its plan; null when none.</summary>
    private string? PostgresFullScans(CapturedStatement statement)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStore.ConnectionStringFor(_hub.DatabasePath)) { Pooling = false }.ConnectionString);
        connection.Open();
        using (var settings = connection.CreateCommand())
        {
            settings.CommandText = "SET enable_seqscan = off";
            settings.ExecuteNonQuery();
        }
        string json;
        using (var explain = Replay(connection, "EXPLAIN (FORMAT JSON) " + statement.Sql, statement))
            json = (string)explain.ExecuteScalar()!;
        var scanned = new SortedSet<string>(StringComparer.Ordinal);
        using var plan = JsonDocument.Parse(json);
        Walk(plan.RootElement);
        return scanned.Count == 0 ? null : $"Seq Scan on {string.Join(", ", scanned)}\n    {json.ReplaceLineEndings(" ")}";

        void Walk(JsonElement node)
        {
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray()) Walk(item);
                return;
            }
            if (node.ValueKind != JsonValueKind.Object) return;
            if (node.TryGetProperty("Node Type", out var type) && type.GetString() == "Seq Scan"
                && node.TryGetProperty("Relation Name", out var relation) && GuardedTables.Contains(relation.GetString()))
                scanned.Add(relation.GetString()!);
            foreach (var property in node.EnumerateObject())
                if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array) Walk(property.Value);
        }
    }

    /// <summary>A command running <paramref name="sql"/> with the captured statement's parameters.</summary>
    private static DbCommand Replay(DbConnection connection, string sql, CapturedStatement statement)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in statement.Parameters)
            command.Parameters.Add(parameter is ICloneable cloneable ? cloneable.Clone() : parameter);
        return command;
    }

    /// <summary>A statement the hub ran during a read, with copies of its parameters.</summary>
    private sealed record CapturedStatement(string Read, string Sql, IReadOnlyList<DbParameter> Parameters);

    /// <summary>
    /// Captures the statements the hub runs on one database (its SQLite file, or its PostgreSQL database) while a read is
    /// called; statements of other tests' hubs in the same process are left out by their connection.
    /// </summary>
    private sealed class StatementCapture : IObserver<DiagnosticListener>, IDisposable
    {
        private readonly string _databasePath;
        private readonly string? _postgresDatabase;
        private readonly List<IDisposable> _subscriptions = [];
        private readonly IDisposable _all;
        private string? _read;

        public StatementCapture(string databasePath)
        {
            _databasePath = Path.GetFullPath(databasePath);
            _postgresDatabase = TestStore.IsPostgres ? new NpgsqlConnectionStringBuilder(TestStore.ConnectionStringFor(databasePath)).Database : null;
            _all = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public List<CapturedStatement> Statements { get; } = [];

        /// <summary>Since the capture subscribed.</summary>
        private readonly Stopwatch _subscribed = Stopwatch.StartNew();

        /// <summary>
        /// Waits until EF Core's logging cache time (<c>CoreOptionsExtension.LoggingCacheTime</c>, one second by default)
        /// has passed since the capture subscribed, with a margin: from then on every context asks again whether anyone
        /// listens, and hears the capture.
        /// </summary>
        public async Task UntilEveryContextHearsAsync()
        {
            var left = TimeSpan.FromSeconds(1.5) - _subscribed.Elapsed;
            if (left > TimeSpan.Zero) await Task.Delay(left);
        }

        public List<string> Reads { get; } = [];

        /// <summary>Runs <paramref name="call"/>, keeping the statements run meanwhile under <paramref name="read"/>.</summary>
        public async Task During(string read, Func<Task> call)
        {
            Reads.Add(read);
            _read = read;
            try
            {
                await call();
            }
            finally
            {
                _read = null;
            }
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name is "Microsoft.EntityFrameworkCore" or "EBakul.Hub.ReadCommands")
                _subscriptions.Add(listener.Subscribe(new Observer(this)));
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }

        private void Capture(DbCommand command)
        {
            if (_read is not { } read || command.Connection is not { } connection) return;
            var ours = connection switch
            {
                SqliteConnection sqlite => Path.GetFullPath(sqlite.DataSource) == _databasePath,
                NpgsqlConnection npgsql => npgsql.Database == _postgresDatabase,
                _ => false,
            };
            if (!ours) return;
            var text = command.CommandText.TrimStart();
            if (!text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("WITH", StringComparison.OrdinalIgnoreCase)) return;
            var parameters = command.Parameters.Cast<DbParameter>()
                .Select(p => p is ICloneable cloneable ? (DbParameter)cloneable.Clone() : p).ToList();
            lock (Statements) Statements.Add(new CapturedStatement(read, command.CommandText, parameters));
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions) subscription.Dispose();
            _all.Dispose();
        }

        private sealed class Observer(StatementCapture capture) : IObserver<KeyValuePair<string, object?>>
        {
            public void OnNext(KeyValuePair<string, object?> value)
            {
                switch (value.Value)
                {
                    case Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData { Command: { } command }
                        when value.Key == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuting.Name:
                        capture.Capture(command);
                        break;
                    case DbCommand command when value.Key == StoreDialect.ReadCommandExecuting:
                        capture.Capture(command);
                        break;
                }
            }

            public void OnCompleted() { }

            public void OnError(Exception error) { }
        }
    }
}
