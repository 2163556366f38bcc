using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Roster;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Keeps the spending reports' month aggregates (<see cref="ReportMerchantMonth"/>, <see cref="ReportBuyerMerchantMonth"/>,
/// <see cref="ReportOfficeMerchantMonth"/>, <see cref="ReportOfficeGroupMonth"/>) in step with the ledger, in the same
/// write transaction as each change they reflect: a recorded purchase, a void (a correction's voids included), an
/// employee's move to another office. A report then reads some thousand rows instead of the month's ledger.
/// <para>
/// What counts: the purchases that stand (the ledger holds only purchases at merchants ACTIVE at their moment; recording
/// refuses the rest), at a merchant whose category and scale for the month the month's policy counts. A merchant's
/// category, scale and kecamatan for a month are those it had at its first purchase of the month (kept in its
/// <see cref="ReportMerchantMonth"/>), so a later re-classification or move does not move money between groups of a
/// month already reported. Distinct buyers come from the employee level: a purchase reads its employee's rows of the
/// month (a few), and each group's buyer count changes only when the employee's spending in it goes from 0 to more or
/// back. Spending per pair is never negative (a void cancels its own purchase), so "more than 0" is "has spending".
/// </para>
/// <para>
/// A rebuild (<see cref="Rebuild(Func{string, WriterStatement}, string, IReadOnlyList{QuotaPolicy})"/>) computes them from the ledger in set-based SQL; it runs before a report reads a
/// regency listed in <c>report_rebuilds</c> (after a migration onto an existing ledger, a demo load, or the regency's
/// first quota policy, which may cover months with purchases already recorded).
/// </para>
/// </summary>
public sealed class ReportAggregates(DatabaseWriter writer)
{
    // A merchant's month as the aggregates hold it (columns 0-3, NULL before its first purchase of the month), and what
    // creating it takes from the registry (columns 4-7; the first activation is read only when the month is missing).
    private const string MerchantStateSql =
        "SELECT mm.category, mm.scale, mm.kecamatan_code, mm.counts, m.category, m.scale, m.kecamatan_code, " +
        "CASE WHEN mm.merchant_id IS NULL THEN " +
        "(SELECT MIN(s.effective_at) FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.status = 2) END " +
        "FROM merchants m LEFT JOIN report_merchant_months mm " +
        "ON mm.regency_code = @regency AND mm.period_key = @period AND mm.merchant_id = m.id WHERE m.id = @merchant";
    private const string InsertMerchantMonthSql =
        "INSERT INTO report_merchant_months (regency_code, period_key, merchant_id, category, scale, kecamatan_code, first_active_at, " +
        "counts, spent_rupiah, purchase_count, buyer_count) " +
        "VALUES (@regency, @period, @merchant, @category, @scale, @kecamatan, @firstActive, @counts, 0, 0, 0)";
    private static string EmployeePairsSql(string office) =>
        "SELECT merchant_id, category, scale, kecamatan_code, spent_rupiah, purchase_count FROM report_buyer_merchant_months " +
        $"WHERE regency_code = @regency AND period_key = @period AND office_code = {office} AND employee_nip = @nip";
    private static string OfficeMerchantSpentSql(string office) =>
        "SELECT spent_rupiah FROM report_office_merchant_months " +
        $"WHERE regency_code = @regency AND period_key = @period AND office_code = {office} AND merchant_id = @merchant";
    // The same reads for the office given (@office), and for the office the employee's month counts under, found in the
    // statement itself (a purchase reads them beside its facts, before it knows that office).
    private static readonly string MonthOffice = "(" + EmployeeAssignments.OfficeInMonthSql("@nip", "@period") + ")";
    private static readonly string EmployeePairsOfOfficeSql = EmployeePairsSql("@office");
    private static readonly string EmployeePairsOfMonthOfficeSql = EmployeePairsSql(MonthOffice);
    private static readonly string OfficeMerchantSpentOfOfficeSql = OfficeMerchantSpentSql("@office");
    private static readonly string OfficeMerchantSpentOfMonthOfficeSql = OfficeMerchantSpentSql(MonthOffice);
    private const string UpsertPairSql =
        "INSERT INTO report_buyer_merchant_months (regency_code, period_key, office_code, employee_nip, merchant_id, category, scale, " +
        "kecamatan_code, spent_rupiah, purchase_count) " +
        "VALUES (@regency, @period, @office, @nip, @merchant, @category, @scale, @kecamatan, @amount, @count) " +
        "ON CONFLICT (regency_code, period_key, office_code, employee_nip, merchant_id) DO UPDATE SET " +
        "spent_rupiah = report_buyer_merchant_months.spent_rupiah + excluded.spent_rupiah, " +
        "purchase_count = report_buyer_merchant_months.purchase_count + excluded.purchase_count";
    private const string DeleteEmptyPairsSql =
        "DELETE FROM report_buyer_merchant_months WHERE regency_code = @regency AND period_key = @period AND office_code = @office " +
        "AND employee_nip = @nip AND spent_rupiah = 0 AND purchase_count = 0";
    private const string UpdateMerchantMonthSql =
        "UPDATE report_merchant_months SET spent_rupiah = spent_rupiah + @amount, purchase_count = purchase_count + @count, " +
        "buyer_count = buyer_count + @buyers WHERE regency_code = @regency AND period_key = @period AND merchant_id = @merchant";
    private const string UpsertOfficeMerchantSql =
        "INSERT INTO report_office_merchant_months (regency_code, period_key, office_code, merchant_id, spent_rupiah, purchase_count, buyer_count) " +
        "VALUES (@regency, @period, @office, @merchant, @amount, @count, @buyers) " +
        "ON CONFLICT (regency_code, period_key, office_code, merchant_id) DO UPDATE SET " +
        "spent_rupiah = report_office_merchant_months.spent_rupiah + excluded.spent_rupiah, " +
        "purchase_count = report_office_merchant_months.purchase_count + excluded.purchase_count, " +
        "buyer_count = report_office_merchant_months.buyer_count + excluded.buyer_count";
    private const string UpsertGroupSql =
        "INSERT INTO report_office_group_months (regency_code, period_key, office_code, dimension, group_key, spent_rupiah, purchase_count, " +
        "buyer_count, merchant_count) VALUES (@regency, @period, @office, @dimension, @key, @amount, @count, @buyers, @merchants) " +
        "ON CONFLICT (regency_code, period_key, office_code, dimension, group_key) DO UPDATE SET " +
        "spent_rupiah = report_office_group_months.spent_rupiah + excluded.spent_rupiah, " +
        "purchase_count = report_office_group_months.purchase_count + excluded.purchase_count, " +
        "buyer_count = report_office_group_months.buyer_count + excluded.buyer_count, " +
        "merchant_count = report_office_group_months.merchant_count + excluded.merchant_count";
    private const string MerchantStatusAtSql =
        "SELECT s.status FROM merchant_status_changes s WHERE s.merchant_id = @merchant AND s.effective_at <= @occurred " +
        "ORDER BY s.effective_at DESC, s.id DESC LIMIT 1";
    private static readonly string MonthOfficeSql = "SELECT " + EmployeeAssignments.OfficeInMonthSql("@nip", "@period");
    private const string MarkSql =
        "INSERT INTO report_rebuilds (regency_code, requested_at) VALUES (@regency, @now) ON CONFLICT (regency_code) DO NOTHING";
    private const string PendingSql = "SELECT COUNT(*) FROM report_rebuilds WHERE regency_code = @regency";

    /// <summary>A merchant's month as the aggregates hold it.</summary>
    private readonly record struct MerchantMonth(int Category, int Scale, string KecamatanCode, bool Counts);

    /// <summary>An employee's spending at one merchant in a month, with the merchant's month values.</summary>
    private readonly record struct Pair(int Category, int Scale, string KecamatanCode, long Spent, long Count);

    /// <summary>
    /// A merchant's month as it stands in the write (null before its first purchase of the month), and its registry
    /// values for creating it (<see cref="Registered"/> false when the merchant is not registered).
    /// </summary>
    private sealed class MerchantState
    {
        public MerchantMonth? Month;
        public bool Registered;
        public int Category, Scale;
        public string KecamatanCode = "";
        public long? FirstActiveAt;
    }

    /// <summary>
    /// What adding a purchase to its month's aggregates reads, started before the purchase is decided
    /// (<see cref="ReadAheadForPurchase"/>): on PostgreSQL these reads go with the purchase's own in one round trip, and the
    /// aggregates' changes then wait to go with the next statement: a purchase reads nothing more for them.
    /// </summary>
    public sealed class PurchaseReads
    {
        internal WriterRowsAhead Pairs { get; init; } = null!;
        internal WriterRowsAhead Merchant { get; init; } = null!;
        internal WriterRowsAhead OfficeMerchantSpent { get; init; } = null!;
    }

    /// <summary>
    /// Starts the reads <see cref="AddPurchase"/> needs for a purchase of <paramref name="nip"/> at <paramref name="merchantId"/>
    /// in <paramref name="period"/>, under the office the employee's month counts under.
    /// </summary>
    internal static PurchaseReads ReadAheadForPurchase(WriteTransaction tx, string regencyCode, Period period, string nip, string merchantId) => new()
    {
        Pairs = tx.Command(EmployeePairsOfMonthOfficeSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@nip", nip).ReadAhead(),
        Merchant = tx.Command(MerchantStateSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@merchant", merchantId).ReadAhead(),
        OfficeMerchantSpent = tx.Command(OfficeMerchantSpentOfMonthOfficeSql).Bind("@regency", regencyCode).Bind("@period", period.Key)
            .Bind("@nip", nip).Bind("@merchant", merchantId).ReadAhead(),
    };

    /// <summary>
    /// Inside the write that records a purchase: adds it to its month's aggregates, under <paramref name="monthOffice"/>
    /// (the office the employee's month counts under), from what <paramref name="reads"/> found.
    /// </summary>
    internal static void AddPurchase(WriteTransaction tx, PolicyOfMonth policies, string regencyCode, Period period, string monthOffice, string nip,
        string merchantId, long amountRupiah, PurchaseReads reads) =>
        Apply(tx, policies, regencyCode, period, monthOffice, nip, PairsOf(reads.Pairs.Rows), MerchantStateOf(reads.Merchant.Rows),
            SpentOf(reads.OfficeMerchantSpent.Rows), merchantId, amountRupiah, 1);

    /// <summary>
    /// Inside the write that voids a purchase: takes it out of its month's aggregates (unless it never counted: a purchase
    /// imported from an older ledger at a merchant that was not ACTIVE at its moment).
    /// </summary>
    internal static void RemovePurchase(WriteTransaction tx, PolicyOfMonth policies, string regencyCode, Period period, string nip,
        string merchantId, long amountRupiah, DateTimeOffset occurredAt)
    {
        if (tx.Command(MerchantStatusAtSql).Bind("@merchant", merchantId).Bind("@occurred", occurredAt.ToUnixTimeMilliseconds()).ExecuteScalar()
            is not long status || status != (long)MerchantStatus.Active) return;
        var office = tx.Command(MonthOfficeSql).Bind("@nip", nip).Bind("@period", period.Key).ExecuteScalar() as string;
        if (office is null) return;
        var pairs = EmployeeMonth(tx, regencyCode, period, office, nip);
        var merchant = ReadMerchantState(tx, regencyCode, period, merchantId);
        var spent = OfficeMerchantSpent(tx, regencyCode, period, office, merchantId);
        Apply(tx, policies, regencyCode, period, office, nip, pairs, MerchantStateOf(merchant.Rows), SpentOf(spent.Rows), merchantId,
            -amountRupiah, -1);
    }

    /// <summary>
    /// Inside the write that changes an employee's office: moves the employee's <paramref name="period"/> from
    /// <paramref name="fromOffice"/> to <paramref name="toOffice"/> (the month counts wholly under the office of its last day).
    /// </summary>
    internal static void MoveEmployeeMonth(WriteTransaction tx, PolicyOfMonth policies, string regencyCode, Period period, string nip,
        string fromOffice, string toOffice)
    {
        if (fromOffice == toOffice) return;
        var leaving = EmployeeMonth(tx, regencyCode, period, fromOffice, nip);
        var arriving = EmployeeMonth(tx, regencyCode, period, toOffice, nip);
        foreach (var (merchantId, pair) in leaving.ToList())
        {
            var merchant = ReadMerchantState(tx, regencyCode, period, merchantId);
            var fromSpent = OfficeMerchantSpent(tx, regencyCode, period, fromOffice, merchantId);
            var toSpent = OfficeMerchantSpent(tx, regencyCode, period, toOffice, merchantId);
            var state = MerchantStateOf(merchant.Rows);
            Apply(tx, policies, regencyCode, period, fromOffice, nip, leaving, state, SpentOf(fromSpent.Rows), merchantId, -pair.Spent, -pair.Count);
            Apply(tx, policies, regencyCode, period, toOffice, nip, arriving, state, SpentOf(toSpent.Rows), merchantId, pair.Spent, pair.Count);
        }
        tx.Command(DeleteEmptyPairsSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", fromOffice).Bind("@nip", nip)
            .ExecuteNonQuery();
    }

    /// <summary>The employee's rows of the month under <paramref name="office"/>, by merchant.</summary>
    private static Dictionary<string, Pair> EmployeeMonth(WriteTransaction tx, string regencyCode, Period period, string office, string nip) =>
        PairsOf(tx.Command(EmployeePairsOfOfficeSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", office)
            .Bind("@nip", nip).ReadAhead().Rows);

    private static WriterRowsAhead ReadMerchantState(WriteTransaction tx, string regencyCode, Period period, string merchantId) =>
        tx.Command(MerchantStateSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@merchant", merchantId).ReadAhead();

    private static WriterRowsAhead OfficeMerchantSpent(WriteTransaction tx, string regencyCode, Period period, string office, string merchantId) =>
        tx.Command(OfficeMerchantSpentOfOfficeSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", office)
            .Bind("@merchant", merchantId).ReadAhead();

    private static Dictionary<string, Pair> PairsOf(WriterRows rows)
    {
        var pairs = new Dictionary<string, Pair>(StringComparer.Ordinal);
        while (rows.Read())
            pairs[rows.GetString(0)] = new Pair(rows.GetInt32(1), rows.GetInt32(2), rows.GetString(3), rows.GetInt64(4), rows.GetInt64(5));
        return pairs;
    }

    private static MerchantState MerchantStateOf(WriterRows rows)
    {
        var state = new MerchantState();
        if (!rows.Read()) return state;
        if (!rows.IsDBNull(0)) state.Month = new MerchantMonth(rows.GetInt32(0), rows.GetInt32(1), rows.GetString(2), rows.GetInt64(3) != 0);
        state.Registered = true;
        (state.Category, state.Scale, state.KecamatanCode) = (rows.GetInt32(4), rows.GetInt32(5), rows.GetString(6));
        state.FirstActiveAt = rows.IsDBNull(7) ? null : rows.GetInt64(7);
        return state;
    }

    private static long SpentOf(WriterRows rows) => rows.Read() ? rows.GetInt64(0) : 0;

    /// <summary>
    /// Applies a change of the employee's spending at a merchant under <paramref name="office"/>, given the employee's month
    /// under that office before it (<paramref name="pairs"/>, updated with the change, so that a caller applying several
    /// reads it once), the merchant's month (<paramref name="merchant"/>, created here at its first purchase of the month)
    /// and the office's spending at the merchant before it. Every statement it runs is a write nobody reads
    /// (<see cref="WriterStatement.ExecuteDeferred"/>).
    /// </summary>
    private static void Apply(WriteTransaction tx, PolicyOfMonth policies, string regencyCode, Period period, string office, string nip,
        Dictionary<string, Pair> pairs, MerchantState merchant, long officeMerchantSpentBefore, string merchantId, long amount, long count)
    {
        if (merchant.Month is null)
        {
            if (!merchant.Registered) return;
            // The merchant's month, created from the registry as it is now at the merchant's first purchase of the month.
            var counts = policies.Eligibility(tx, regencyCode, period, (MerchantCategory)merchant.Category, (MerchantScale)merchant.Scale)
                == PurchaseEligibility.Counts;
            tx.Command(InsertMerchantMonthSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@merchant", merchantId)
                .Bind("@category", merchant.Category).Bind("@scale", merchant.Scale).Bind("@kecamatan", merchant.KecamatanCode)
                .Bind("@firstActive", merchant.FirstActiveAt).Bind("@counts", counts).ExecuteDeferred();
            merchant.Month = new MerchantMonth(merchant.Category, merchant.Scale, merchant.KecamatanCode, counts);
        }
        var month = merchant.Month.Value;
        if (!month.Counts) return;

        pairs.TryGetValue(merchantId, out var pair);
        var buyers = Change(pair.Spent, amount);
        tx.Command(UpdateMerchantMonthSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@merchant", merchantId)
            .Bind("@amount", amount).Bind("@count", count).Bind("@buyers", buyers).ExecuteDeferred();

        long categoryBefore = 0, scaleBefore = 0, kecamatanBefore = 0, totalBefore = 0;
        foreach (var other in pairs.Values)
        {
            totalBefore += other.Spent;
            if (other.Category == month.Category) categoryBefore += other.Spent;
            if (other.Scale == month.Scale) scaleBefore += other.Spent;
            if (other.KecamatanCode == month.KecamatanCode) kecamatanBefore += other.Spent;
        }
        pairs[merchantId] = new Pair(month.Category, month.Scale, month.KecamatanCode, pair.Spent + amount, pair.Count + count);

        tx.Command(UpsertPairSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", office).Bind("@nip", nip)
            .Bind("@merchant", merchantId).Bind("@category", month.Category).Bind("@scale", month.Scale)
            .Bind("@kecamatan", month.KecamatanCode).Bind("@amount", amount).Bind("@count", count).ExecuteDeferred();
        tx.Command(UpsertOfficeMerchantSql).Bind("@regency", regencyCode).Bind("@period", period.Key)
            .Bind("@office", office).Bind("@merchant", merchantId).Bind("@amount", amount).Bind("@count", count).Bind("@buyers", buyers)
            .ExecuteDeferred();

        UpsertGroup(tx, regencyCode, period, office, ReportDimension.Office, "", amount, count, Change(totalBefore, amount),
            Change(officeMerchantSpentBefore, amount));
        if (Change(categoryBefore, amount) is var categoryBuyers and not 0)
            UpsertGroup(tx, regencyCode, period, office, ReportDimension.Category, month.Category.ToString(CultureInfo.InvariantCulture), 0, 0, categoryBuyers, 0);
        if (Change(scaleBefore, amount) is var scaleBuyers and not 0)
            UpsertGroup(tx, regencyCode, period, office, ReportDimension.Scale, month.Scale.ToString(CultureInfo.InvariantCulture), 0, 0, scaleBuyers, 0);
        if (Change(kecamatanBefore, amount) is var kecamatanBuyers and not 0)
            UpsertGroup(tx, regencyCode, period, office, ReportDimension.Kecamatan, month.KecamatanCode, 0, 0, kecamatanBuyers, 0);
    }

    /// <summary>+1 when spending goes from nothing to something, -1 back, 0 otherwise.</summary>
    private static int Change(long before, long amount) => (before + amount > 0 ? 1 : 0) - (before > 0 ? 1 : 0);

    private static void UpsertGroup(WriteTransaction tx, string regencyCode, Period period, string office, ReportDimension dimension, string key,
        long amount, long count, long buyers, long merchants) =>
        tx.Command(UpsertGroupSql).Bind("@regency", regencyCode).Bind("@period", period.Key).Bind("@office", office)
            .Bind("@dimension", (int)dimension).Bind("@key", key).Bind("@amount", amount).Bind("@count", count).Bind("@buyers", buyers)
            .Bind("@merchants", merchants).ExecuteDeferred();

    /// <summary>Inside a write: asks for the regency's aggregates to be rebuilt from the ledger before the next report.</summary>
    internal static void MarkForRebuild(WriteTransaction tx, string regencyCode, DateTimeOffset now) => MarkForRebuild(tx.Command, regencyCode, now);

    /// <summary>As <see cref="MarkForRebuild(WriteTransaction, string, DateTimeOffset)"/>, on any writing connection.</summary>
    internal static void MarkForRebuild(Func<string, WriterStatement> statement, string regencyCode, DateTimeOffset now) =>
        statement(MarkSql).Bind("@regency", regencyCode).Bind("@now", now.ToUnixTimeMilliseconds()).ExecuteNonQuery();

    /// <summary>Rebuilds the regency's aggregates if they are marked for it; reports call this before they read them.</summary>
    public async Task EnsureBuiltAsync(HubDbContext db, string regencyCode, CancellationToken cancellationToken)
    {
        if (!await db.ReportRebuilds.AnyAsync(r => r.RegencyCode == regencyCode, cancellationToken)) return;
        await writer.WriteAsync(tx => Rebuild(tx, regencyCode), cancellationToken);
    }

    /// <summary>Rebuilds every regency marked for it (at start, before the hub serves).</summary>
    public async Task RebuildMarkedAsync(HubDbContext db, CancellationToken cancellationToken)
    {
        foreach (var regency in await db.ReportRebuilds.Select(r => r.RegencyCode).ToListAsync(cancellationToken))
            await writer.WriteAsync(tx => Rebuild(tx, regency), cancellationToken);
    }

    /// <summary>
    /// Computes the regency's aggregates from its ledger, if it is still marked (a rebuild asked for twice runs once), with
    /// <paramref name="statement"/> on a writing connection inside its transaction: the writer's, or the demo loader's.
    /// The merchants' month values already held are kept; merchants without one get the registry's current values.
    /// <paramref name="policies"/> are the regency's quota policy versions.
    /// </summary>
    internal static int Rebuild(Func<string, WriterStatement> statement, string regencyCode, IReadOnlyList<QuotaPolicy> policies)
    {
        if ((long)statement(PendingSql).Bind("@regency", regencyCode).ExecuteScalar()! == 0) return 0;
        foreach (var sql in RebuildClearSql) statement(sql).Bind("@regency", regencyCode).ExecuteNonQuery();
        statement(RebuildMerchantMonthsSql).Bind("@regency", regencyCode).ExecuteNonQuery();

        var periods = new List<int>();
        using (var rows = statement("SELECT DISTINCT period_key FROM report_merchant_months WHERE regency_code = @regency")
                   .Bind("@regency", regencyCode).ExecuteReader())
            while (rows.Read()) periods.Add(rows.GetInt32(0));
        foreach (var period in periods)
        {
            var policy = policies.Where(p => p.RegencyCode == regencyCode && p.ReplacedByVersion == null && p.EffectivePeriodKey <= period)
                .OrderByDescending(p => p.EffectivePeriodKey).FirstOrDefault();
            // A flag is an integer 0/1 on both stores.
            var counts = policy is null
                ? "0"
                : $"CASE WHEN category IN ({InList(policy.CountedCategories)}) AND scale IN ({InList(policy.CountedScales)}) THEN 1 ELSE 0 END";
            statement($"UPDATE report_merchant_months SET counts = {counts} WHERE regency_code = @regency AND period_key = @period")
                .Bind("@regency", regencyCode).Bind("@period", period).ExecuteNonQuery();
        }

        foreach (var sql in RebuildFillSql) statement(sql).Bind("@regency", regencyCode).ExecuteNonQuery();
        statement("DELETE FROM report_rebuilds WHERE regency_code = @regency").Bind("@regency", regencyCode).ExecuteNonQuery();
        return periods.Count;
    }

    private static int Rebuild(WriteTransaction tx, string regencyCode) =>
        Rebuild(tx.Command, regencyCode, tx.Db.QuotaPolicies.AsNoTracking().Where(p => p.RegencyCode == regencyCode).ToList());

    private static string InList<TEnum>(IEnumerable<TEnum> values) where TEnum : struct, Enum =>
        string.Join(",", values.Select(v => Convert.ToInt32(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("-1"));

    private static readonly string[] RebuildClearSql =
    [
        "DELETE FROM report_buyer_merchant_months WHERE regency_code = @regency",
        "DELETE FROM report_office_merchant_months WHERE regency_code = @regency",
        "DELETE FROM report_office_group_months WHERE regency_code = @regency",
        "UPDATE report_merchant_months SET spent_rupiah = 0, purchase_count = 0, buyer_count = 0 WHERE regency_code = @regency",
    ];

    /// <summary>A month row for every merchant with entries in a month, with the registry's values unless one is held already.</summary>
    private const string RebuildMerchantMonthsSql =
        "INSERT INTO report_merchant_months (regency_code, period_key, merchant_id, category, scale, kecamatan_code, first_active_at, " +
        "counts, spent_rupiah, purchase_count, buyer_count) " +
        "SELECT x.regency_code, x.period_key, x.merchant_id, m.category, m.scale, m.kecamatan_code, " +
        "(SELECT MIN(s.effective_at) FROM merchant_status_changes s WHERE s.merchant_id = m.id AND s.status = 2), 0, 0, 0, 0 " +
        "FROM (SELECT DISTINCT e.regency_code, e.period_key, e.merchant_id FROM ledger_entries e WHERE e.regency_code = @regency) x " +
        "JOIN merchants m ON m.id = x.merchant_id WHERE 1 = 1 " +
        "ON CONFLICT (regency_code, period_key, merchant_id) DO NOTHING";

    private static readonly string[] RebuildFillSql =
    [
        // The employee level: the ledger summed per employee and merchant, at merchants whose month counts, under the office
        // the employee's month counts under; only entries at a merchant ACTIVE at their moment (all but imported ones).
        "INSERT INTO report_buyer_merchant_months (regency_code, period_key, office_code, employee_nip, merchant_id, category, scale, " +
        "kecamatan_code, spent_rupiah, purchase_count) " +
        "SELECT s.regency_code, s.period_key, " + EmployeeAssignments.OfficeInMonthSql("s.employee_nip", "s.period_key") + ", " +
        "s.employee_nip, s.merchant_id, m.category, m.scale, m.kecamatan_code, s.spent, s.purchases " +
        "FROM (SELECT e.regency_code, e.period_key, e.employee_nip, e.merchant_id, SUM(e.amount_rupiah) AS spent, " +
        "SUM(CASE WHEN e.amount_rupiah > 0 THEN 1 ELSE -1 END) AS purchases FROM ledger_entries e WHERE e.regency_code = @regency " +
        "AND (SELECT s.status FROM merchant_status_changes s WHERE s.merchant_id = e.merchant_id AND s.effective_at <= e.occurred_at " +
        "ORDER BY s.effective_at DESC, s.id DESC LIMIT 1) = 2 " +
        "GROUP BY e.regency_code, e.period_key, e.employee_nip, e.merchant_id) s " +
        "JOIN report_merchant_months m ON m.regency_code = s.regency_code AND m.period_key = s.period_key AND m.merchant_id = s.merchant_id " +
        "WHERE m.counts = 1 AND s.spent > 0",
        "UPDATE report_merchant_months SET spent_rupiah = t.spent, purchase_count = t.purchases, buyer_count = t.buyers " +
        "FROM (SELECT p.period_key, p.merchant_id, SUM(p.spent_rupiah) AS spent, SUM(p.purchase_count) AS purchases, COUNT(*) AS buyers " +
        "FROM report_buyer_merchant_months p WHERE p.regency_code = @regency GROUP BY p.period_key, p.merchant_id) t " +
        "WHERE report_merchant_months.regency_code = @regency AND report_merchant_months.period_key = t.period_key " +
        "AND report_merchant_months.merchant_id = t.merchant_id",
        "INSERT INTO report_office_merchant_months (regency_code, period_key, office_code, merchant_id, spent_rupiah, purchase_count, buyer_count) " +
        "SELECT p.regency_code, p.period_key, p.office_code, p.merchant_id, SUM(p.spent_rupiah), SUM(p.purchase_count), COUNT(*) " +
        "FROM report_buyer_merchant_months p WHERE p.regency_code = @regency GROUP BY p.regency_code, p.period_key, p.office_code, p.merchant_id",
        "INSERT INTO report_office_group_months (regency_code, period_key, office_code, dimension, group_key, spent_rupiah, purchase_count, " +
        "buyer_count, merchant_count) " +
        "SELECT p.regency_code, p.period_key, p.office_code, 0, '', SUM(p.spent_rupiah), SUM(p.purchase_count), COUNT(DISTINCT p.employee_nip), " +
        "COUNT(DISTINCT p.merchant_id) FROM report_buyer_merchant_months p WHERE p.regency_code = @regency " +
        "GROUP BY p.regency_code, p.period_key, p.office_code",
        GroupBuyersSql(ReportDimension.Category, "CAST(p.category AS TEXT)"),
        GroupBuyersSql(ReportDimension.Scale, "CAST(p.scale AS TEXT)"),
        GroupBuyersSql(ReportDimension.Kecamatan, "p.kecamatan_code"),
    ];

    private static string GroupBuyersSql(ReportDimension dimension, string key) =>
        "INSERT INTO report_office_group_months (regency_code, period_key, office_code, dimension, group_key, spent_rupiah, purchase_count, " +
        "buyer_count, merchant_count) " +
        $"SELECT p.regency_code, p.period_key, p.office_code, {(int)dimension}, {key}, 0, 0, COUNT(DISTINCT p.employee_nip), 0 " +
        "FROM report_buyer_merchant_months p WHERE p.regency_code = @regency " +
        $"GROUP BY p.regency_code, p.period_key, p.office_code, {key}";
}
