using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Where e-Bakul money goes: a month's spending (purchases that stand, at merchants ACTIVE at the purchase's moment, whose
/// category and scale for the month the month's policy counts) grouped by merchant category, kecamatan, office and
/// scale, the top merchants, the share at newly registered merchants, and the trend over months. Read from the month
/// aggregates that <see cref="ReportAggregates"/> keeps with every purchase and void: a regency's report reads its
/// merchants' and offices' month rows, an office's report its office-merchant and office rows; a report whose small
/// categories, scales or kecamatan must be folded together (which needs the distinct buyers of several groups at once)
/// reads the employee level of its scope. Groups with fewer
/// buyers than <see cref="ReportOptions.MinimumGroupSize"/> are folded into <see cref="OtherKey"/> (docs/reports.md). A closed
/// month's report is computed once per close and shape and kept (<see cref="ClosedMonthReports"/>).
/// </summary>
public sealed class SpendingReports(HubDbContext db, ReportAggregates aggregates, QuotaPolicies policies, RegencyDirectory regencies,
    ClosedMonthReports closedMonths, IOptions<ReportOptions> options)
{
    /// <summary>Merchants in each top list when the caller does not say.</summary>
    public const int DefaultTopMerchantCount = 10;

    /// <summary>The key of the group that holds the groups too small to show.</summary>
    public const string OtherKey = "OTHER";

    /// <summary>The display name of <see cref="OtherKey"/>.</summary>
    public const string OtherName = "Lainnya";

    private int MinimumGroupSize => Math.Max(1, options.Value.MinimumGroupSize);

    /// <summary>The spending report of a month; <paramref name="topMerchantCount"/> merchants in each top list.</summary>
    public async Task<SpendingReport> MonthAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount, CancellationToken cancellationToken)
    {
        await aggregates.EnsureBuiltAsync(db, regencyCode, cancellationToken);
        await using var snapshot = await ReportSql.BeginSnapshotAsync(db, cancellationToken);
        var officeNames = await OfficeNamesAsync(regencyCode, cancellationToken);
        return await MonthAsync(regencyCode, period, officeCode, topMerchantCount, officeNames, cancellationToken);
    }

    /// <summary>
    /// The <paramref name="months"/> months up to <paramref name="endPeriod"/>, oldest first, each with its change from the
    /// month before (which is computed for the first month too).
    /// </summary>
    public async Task<IReadOnlyList<SpendingTrendMonth>> TrendAsync(string regencyCode, Period endPeriod, int months, string? officeCode,
        CancellationToken cancellationToken)
    {
        await aggregates.EnsureBuiltAsync(db, regencyCode, cancellationToken);
        await using var snapshot = await ReportSql.BeginSnapshotAsync(db, cancellationToken);
        var officeNames = await OfficeNamesAsync(regencyCode, cancellationToken);
        var first = endPeriod;
        for (var i = 1; i < months; i++) first = first.Previous;
        var previous = await MonthAsync(regencyCode, first.Previous, officeCode, 0, officeNames, cancellationToken);
        var trend = new List<SpendingTrendMonth>(months);
        for (var period = first; period <= endPeriod; period = period.Next)
        {
            var report = await MonthAsync(regencyCode, period, officeCode, 0, officeNames, cancellationToken);
            var change = report.SpentRupiah - previous.SpentRupiah;
            trend.Add(new SpendingTrendMonth(report, change, previous.SpentRupiah == 0 ? null : BasisPoints.Of(change, previous.SpentRupiah)));
            previous = report;
        }
        return trend;
    }

    private async Task<SpendingReport> MonthAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount,
        IReadOnlyDictionary<string, string> officeNames, CancellationToken cancellationToken)
    {
        var policy = await policies.InForceAsync(regencyCode, period, cancellationToken);
        if (policy is null) return Empty(regencyCode, period, officeCode, 0, suppressed: false);

        // A closed month's report is computed once per close (ClosedMonthReports); the names are the current ones.
        var closedRevision = await closedMonths.ClosedRevisionAsync(db, regencyCode, period, cancellationToken);
        if (closedRevision is { } revision && closedMonths.Find(regencyCode, period, revision, policy.Version, officeCode, topMerchantCount) is { } kept)
            return await WithCurrentNamesAsync(kept, officeNames, cancellationToken);
        var report = await ComputeAsync(regencyCode, period, officeCode, topMerchantCount, policy.Version, officeNames, cancellationToken);
        if (closedRevision is { } closed) closedMonths.Keep(regencyCode, period, closed, policy.Version, officeCode, topMerchantCount, report);
        return report;
    }

    /// <summary>A kept report with the offices' and merchants' names as they are now.</summary>
    private async Task<SpendingReport> WithCurrentNamesAsync(SpendingReport report, IReadOnlyDictionary<string, string> officeNames,
        CancellationToken cancellationToken)
    {
        var names = await MerchantNamesAsync(report.TopMerchantsByAmount.Concat(report.TopMerchantsByBuyers).Select(m => m.MerchantId)
            .Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        return report with
        {
            ByOffice = [.. report.ByOffice.Select(g => g.Key == OtherKey ? g : g with { DisplayName = officeNames.GetValueOrDefault(g.Key, g.Key) })],
            TopMerchantsByAmount = [.. report.TopMerchantsByAmount.Select(m => m with { MerchantName = names.GetValueOrDefault(m.MerchantId, "") })],
            TopMerchantsByBuyers = [.. report.TopMerchantsByBuyers.Select(m => m with { MerchantName = names.GetValueOrDefault(m.MerchantId, "") })],
        };
    }

    /// <summary>The month's report computed from the month aggregates.</summary>
    private async Task<SpendingReport> ComputeAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount, int policyVersion,
        IReadOnlyDictionary<string, string> officeNames, CancellationToken cancellationToken)
    {
        var newSince = period;
        for (var i = 1; i < Math.Max(1, options.Value.NewMerchantMonths); i++) newSince = newSince.Previous;
        var parameters = new Dictionary<string, object>
        {
            ["@regency"] = regencyCode, ["@period"] = period.Key, ["@newStart"] = newSince.Start.ToUnixTimeMilliseconds(),
            ["@end"] = period.End.ToUnixTimeMilliseconds(), ["@minimum"] = MinimumGroupSize, ["@top"] = Math.Max(0, topMerchantCount),
        };
        if (officeCode is not null) parameters["@office"] = officeCode;

        // The groups' sums and the top merchants' candidates come summed and sorted from SQL: a few hundred rows.
        var tallies = new Tallies();
        await ReportSql.ReadAsync(db, officeCode is null ? ReportSql.OfficeGroups : ReportSql.OneOfficeGroups, parameters, rows => tallies.AddOfficeGroup(
            rows.GetString(0), (ReportDimension)rows.GetInt32(1), rows.GetString(2), rows.GetInt64(3), rows.GetInt64(4), rows.GetInt32(5),
            rows.GetInt32(6)), cancellationToken);
        // No buyer in the scope: nothing else to read (the report is empty whatever the merchants' rows hold).
        if (tallies.BuyerCount == 0) return Empty(regencyCode, period, officeCode, policyVersion, suppressed: false);
        await ReportSql.ReadAsync(db, ReportSql.MerchantGroupSums(officeCode is not null), parameters, rows => tallies.AddMerchantGroup(
            (MerchantCategory)rows.GetInt32(0), (MerchantScale)rows.GetInt32(1), rows.GetString(2), rows.GetInt64(3), rows.GetInt64(4), rows.GetInt32(5),
            rows.GetInt64(6)), cancellationToken);
        var merchants = new Dictionary<string, MerchantMonth>(StringComparer.Ordinal);
        if (!tallies.AnyGroupSmallerThan(MinimumGroupSize))
        {
            if (topMerchantCount > 0)
            {
                foreach (var order in new[] { ReportSql.TopByAmount, ReportSql.TopByBuyers })
                    await ReadMerchantsAsync(ReportSql.TopMerchants(officeCode is not null, order), parameters, merchants, cancellationToken);
                tallies.AddTopCandidates(merchants);
            }
        }
        else
        {
            // Folding a category, scale or kecamatan needs the distinct buyers of several groups together: the employee level.
            await ReadMerchantsAsync(officeCode is null ? ReportSql.MerchantMonths : ReportSql.OfficeMerchantMonths, parameters, merchants, cancellationToken);
            tallies = new Tallies();
            await ReportSql.ReadAsync(db, officeCode is null ? ReportSql.BuyerMerchants : ReportSql.OfficeBuyerMerchants, parameters,
                rows => tallies.AddPair(rows.GetString(0), rows.GetString(1), rows.GetString(2), rows.GetInt64(3), rows.GetInt64(4), merchants),
                cancellationToken);
            tallies.EndPairs(newSince, period);
        }
        return await ReportAsync(regencyCode, period, officeCode, topMerchantCount, policyVersion, merchants, tallies, officeNames, cancellationToken);
    }

    private async Task<SpendingReport> ReportAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount, int policyVersion,
        Dictionary<string, MerchantMonth> merchants, Tallies tallies, IReadOnlyDictionary<string, string> officeNames, CancellationToken cancellationToken)
    {
        var minimum = MinimumGroupSize;
        if (tallies.BuyerCount == 0) return Empty(regencyCode, period, officeCode, policyVersion, suppressed: false);
        if (tallies.BuyerCount < minimum) return Empty(regencyCode, period, officeCode, policyVersion, suppressed: true);

        var newSince = period;
        for (var i = 1; i < Math.Max(1, options.Value.NewMerchantMonths); i++) newSince = newSince.Previous;

        var kecamatanNames = regencies.KecamatanOf(regencyCode).ToDictionary(k => k.Code, k => k.Name, StringComparer.Ordinal);
        var kecamatanKeys = tallies.KecamatanOrdinals.ToDictionary(k => k.Value, k => k.Key);
        var officeKeys = tallies.OfficeOrdinals.ToDictionary(o => o.Value, o => o.Key);
        var folding = new Folding(tallies.Buyers, minimum);
        var byCategory = folding.Groups(tallies.Category, b => b.Categories, c => "MERCHANT_CATEGORY_" + EnumNames.UpperSnake((MerchantCategory)c),
            c => CategoryName((MerchantCategory)c), null);
        var byScale = folding.Groups(tallies.Scale, b => b.Scales, c => "MERCHANT_SCALE_" + EnumNames.UpperSnake((MerchantScale)c),
            c => ScaleName((MerchantScale)c), null);
        var byKecamatan = folding.Groups(tallies.Kecamatan, b => b.Kecamatan, k => kecamatanKeys[k],
            k => kecamatanNames.GetValueOrDefault(kecamatanKeys[k], kecamatanKeys[k]), null);
        var byOffice = folding.Groups(tallies.Office, b => Bit(b.Office), o => officeKeys[o], o => officeNames.GetValueOrDefault(officeKeys[o], officeKeys[o]),
            folded => OfficeMerchantCount(regencyCode, period, tallies, folded),
            disjoint: true);

        var top = topMerchantCount <= 0 ? [] : tallies.ByMerchant.Where(m => m.Value.Buyers >= minimum).ToList();
        var byAmount = top.OrderByDescending(m => m.Value.Spent).ThenBy(m => m.Key, StringComparer.Ordinal).Take(topMerchantCount).ToList();
        var byBuyers = top.OrderByDescending(m => m.Value.Buyers).ThenByDescending(m => m.Value.Spent).ThenBy(m => m.Key, StringComparer.Ordinal)
            .Take(topMerchantCount).ToList();
        var names = await MerchantNamesAsync(byAmount.Concat(byBuyers).Select(m => m.Key).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        MerchantSpending Spending(KeyValuePair<string, MerchantTally> m)
        {
            var facts = merchants[m.Key];
            return new MerchantSpending(m.Key, names.GetValueOrDefault(m.Key, ""), facts.KecamatanCode, facts.Category, m.Value.Spent, m.Value.Purchases,
                m.Value.Buyers, facts.IsNewIn(newSince, period));
        }

        return new SpendingReport(regencyCode, period, officeCode, policyVersion, false, minimum, tallies.Spent, tallies.Purchases, tallies.BuyerCount,
            tallies.MerchantCount, tallies.NewMerchantSpent, byCategory, byKecamatan, byOffice, byScale, [.. byAmount.Select(Spending)],
            [.. byBuyers.Select(Spending)]);
    }

    private Task ReadMerchantsAsync(string sql, Dictionary<string, object> parameters, Dictionary<string, MerchantMonth> merchants,
        CancellationToken cancellationToken) =>
        ReportSql.ReadAsync(db, sql, parameters, rows => merchants[rows.GetString(0)] = new MerchantMonth(
            (MerchantCategory)rows.GetInt32(1), (MerchantScale)rows.GetInt32(2), rows.GetString(3),
            rows.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(4)), rows.GetInt64(5), rows.GetInt64(6), rows.GetInt32(7)),
            cancellationToken);

    /// <summary>Distinct merchants with spending from the employees of the <paramref name="folded"/> offices (ordinals) together.</summary>
    private int OfficeMerchantCount(string regencyCode, Period period, Tallies tallies, HashSet<int> folded)
    {
        if (tallies.OfficeMerchants is { } pairs)
            return pairs.Where(p => folded.Contains(p.Office)).Select(p => p.Merchant).Distinct(StringComparer.Ordinal).Count();
        var offices = tallies.OfficeOrdinals.Where(o => folded.Contains(o.Value)).Select(o => o.Key).ToList();
        var parameters = new Dictionary<string, object> { ["@regency"] = regencyCode, ["@period"] = period.Key };
        for (var i = 0; i < offices.Count; i++) parameters[$"@office{i}"] = offices[i];
        var count = 0;
        ReportSql.Read(db, ReportSql.OfficesMerchantCount(offices.Count), parameters, rows => count = rows.GetInt32(0));
        return count;
    }

    private async Task<Dictionary<string, string>> MerchantNamesAsync(List<string> merchantIds, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (merchantIds.Count == 0) return names;
        var parameters = new Dictionary<string, object>();
        for (var i = 0; i < merchantIds.Count; i++) parameters[$"@merchant{i}"] = merchantIds[i];
        await ReportSql.ReadAsync(db, ReportSql.MerchantNames(merchantIds.Count), parameters, rows => names[rows.GetString(0)] = rows.GetString(1),
            cancellationToken);
        return names;
    }

    private SpendingReport Empty(string regencyCode, Period period, string? officeCode, int policyVersion, bool suppressed) =>
        new(regencyCode, period, officeCode, policyVersion, suppressed, MinimumGroupSize, 0, 0, 0, 0, 0, [], [], [], [], [], []);

    private static int Ordinal(Dictionary<string, int> ordinals, string key)
    {
        if (!ordinals.TryGetValue(key, out var ordinal)) ordinals[key] = ordinal = ordinals.Count;
        return ordinal;
    }

    /// <summary>
    /// A membership bit. Categories, scales and a regency's kecamatan are far fewer than 128. Offices may be more, so an
    /// office ordinal may share a bit; offices are therefore counted and folded by their exact buyer counts (an employee
    /// has one office), never by bits.
    /// </summary>
    private static UInt128 Bit(int ordinal) => UInt128.One << (ordinal & 127);

    /// <summary>Indonesian name of a category.</summary>
    public static string CategoryName(MerchantCategory category) => category switch
    {
        MerchantCategory.FoodAndDrink => "Makanan dan minuman",
        MerchantCategory.Services => "Jasa",
        MerchantCategory.DailyNeeds => "Kebutuhan sehari-hari",
        MerchantCategory.IkmProduct => "Produk IKM",
        MerchantCategory.Craft => "Kerajinan",
        MerchantCategory.ModernRetail => "Ritel modern",
        MerchantCategory.Franchise => "Waralaba",
        _ => category.ToString(),
    };

    /// <summary>Indonesian name of a scale.</summary>
    public static string ScaleName(MerchantScale scale) => scale switch
    {
        MerchantScale.UltraMicro => "Ultra mikro",
        MerchantScale.Micro => "Mikro",
        MerchantScale.Small => "Kecil",
        MerchantScale.Medium => "Menengah",
        _ => scale.ToString(),
    };

    /// <summary>The names of the regency's offices, by code.</summary>
    public async Task<IReadOnlyDictionary<string, string>> OfficeNamesAsync(string regencyCode, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReportSql.ReadAsync(db, ReportSql.OfficeNames, new Dictionary<string, object> { ["@regency"] = regencyCode },
            rows => names[rows.GetString(0)] = rows.GetString(1), cancellationToken);
        return names;
    }

    /// <summary>A merchant's month as the aggregates hold it (<see cref="ReportMerchantMonth"/>).</summary>
    private sealed record MerchantMonth(MerchantCategory Category, MerchantScale Scale, string KecamatanCode, DateTimeOffset? FirstActiveAt,
        long Spent, long Purchases, int Buyers)
    {
        /// <summary>First ACTIVE from the start of <paramref name="since"/> to the end of <paramref name="period"/>.</summary>
        public bool IsNewIn(Period since, Period period) => FirstActiveAt is { } at && at >= since.Start && at < period.End;
    }

    private struct MerchantTally
    {
        public long Spent;
        public long Purchases;
        public int Buyers;
    }

    /// <summary>The groups one employee bought in: bit sets of category, scale and kecamatan ordinals, and the office's ordinal.</summary>
    private readonly record struct BuyerGroups(int Office, UInt128 Categories, UInt128 Scales, UInt128 Kecamatan);

    /// <summary>
    /// A month's figures per group and merchant, filled either from the merchants' and offices' month rows (a regency's
    /// report) or from the employee level (<see cref="AddPair"/>, then <see cref="EndPairs"/>), which also gives each
    /// buyer's groups for folding.
    /// </summary>
    private sealed class Tallies
    {
        public readonly Dictionary<string, int> KecamatanOrdinals = new(StringComparer.Ordinal);
        public readonly Dictionary<string, int> OfficeOrdinals = new(StringComparer.Ordinal);
        public readonly Dictionary<string, MerchantTally> ByMerchant = new(StringComparer.Ordinal);
        public readonly GroupTallies Category = new();
        public readonly GroupTallies Scale = new();
        public readonly GroupTallies Kecamatan = new();
        public readonly GroupTallies Office = new();
        public readonly List<BuyerGroups> Buyers = [];
        public long Spent;
        public long Purchases;
        public int BuyerCount;
        public int MerchantCount;
        public long NewMerchantSpent;

        /// <summary>(office ordinal, merchant) pairs with spending; from the employee level only.</summary>
        public HashSet<(int Office, string Merchant)>? OfficeMerchants;

        private Dictionary<string, MerchantMonth>? _merchants;
        private string? _currentNip;
        private BuyerGroups _current;

        /// <summary>One office's row of the month (<see cref="ReportOfficeGroupMonth"/>).</summary>
        public void AddOfficeGroup(string officeCode, ReportDimension dimension, string key, long spent, long purchases, int buyers, int merchants)
        {
            if (buyers == 0) return;
            switch (dimension)
            {
                case ReportDimension.Office:
                    Office.Set(Ordinal(OfficeOrdinals, officeCode), spent, purchases, buyers, merchants);
                    BuyerCount += buyers;
                    break;
                case ReportDimension.Category:
                    Category.AddBuyers(int.Parse(key, CultureInfo.InvariantCulture), buyers);
                    break;
                case ReportDimension.Scale:
                    Scale.AddBuyers(int.Parse(key, CultureInfo.InvariantCulture), buyers);
                    break;
                case ReportDimension.Kecamatan:
                    Kecamatan.AddBuyers(Ordinal(KecamatanOrdinals, key), buyers);
                    break;
            }
        }

        /// <summary>The merchants of one category, scale and kecamatan together: their spending, purchases and number.</summary>
        public void AddMerchantGroup(MerchantCategory category, MerchantScale scale, string kecamatanCode, long spent, long purchases, int merchants,
            long newMerchantSpent)
        {
            var kecamatan = Ordinal(KecamatanOrdinals, kecamatanCode);
            Category.Add((int)category, spent, purchases, merchants);
            Scale.Add((int)scale, spent, purchases, merchants);
            Kecamatan.Add(kecamatan, spent, purchases, merchants);
            Spent += spent;
            Purchases += purchases;
            MerchantCount += merchants;
            NewMerchantSpent += newMerchantSpent;
        }

        /// <summary>The merchants that may stand in a top list (each list's first ones, from SQL).</summary>
        public void AddTopCandidates(Dictionary<string, MerchantMonth> merchants)
        {
            foreach (var (merchantId, m) in merchants)
                ByMerchant[merchantId] = new MerchantTally { Spent = m.Spent, Purchases = m.Purchases, Buyers = m.Buyers };
        }

        /// <summary>Whether a category, scale or kecamatan has fewer buyers than <paramref name="minimum"/> (and must be folded).</summary>
        public bool AnyGroupSmallerThan(int minimum) =>
            Category.Groups.Values.Any(g => g.Buyers < minimum) || Scale.Groups.Values.Any(g => g.Buyers < minimum) ||
            Kecamatan.Groups.Values.Any(g => g.Buyers < minimum);

        /// <summary>One employee's spending at one merchant; the rows of an employee come together.</summary>
        public void AddPair(string officeCode, string nip, string merchantId, long spent, long purchases, Dictionary<string, MerchantMonth> merchants)
        {
            OfficeMerchants ??= [];
            _merchants = merchants;
            var merchant = merchants[merchantId];
            if (nip != _currentNip)
            {
                if (_currentNip is not null) Buyers.Add(_current);
                _currentNip = nip;
                _current = new BuyerGroups(Ordinal(OfficeOrdinals, officeCode), 0, 0, 0);
            }
            var kecamatan = Ordinal(KecamatanOrdinals, merchant.KecamatanCode);
            _current = _current with
            {
                Categories = _current.Categories | Bit((int)merchant.Category),
                Scales = _current.Scales | Bit((int)merchant.Scale),
                Kecamatan = _current.Kecamatan | Bit(kecamatan),
            };
            Category.Add((int)merchant.Category, spent, purchases);
            Scale.Add((int)merchant.Scale, spent, purchases);
            Kecamatan.Add(kecamatan, spent, purchases);
            Office.Add(_current.Office, spent, purchases);
            OfficeMerchants.Add((_current.Office, merchantId));
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(ByMerchant, merchantId, out _);
            tally.Spent += spent;
            tally.Purchases += purchases;
            tally.Buyers++;
            Spent += spent;
            Purchases += purchases;
        }

        /// <summary>
        /// After the last <see cref="AddPair"/>: the distinct buyers and merchants of every group, and the spending at
        /// merchants first ACTIVE from <paramref name="newSince"/> to <paramref name="period"/>.
        /// </summary>
        public void EndPairs(Period newSince, Period period)
        {
            if (_currentNip is not null) Buyers.Add(_current);
            BuyerCount = Buyers.Count;
            MerchantCount = ByMerchant.Count;
            foreach (var buyer in Buyers)
            {
                Category.CountBuyer(buyer.Categories);
                Scale.CountBuyer(buyer.Scales);
                Kecamatan.CountBuyer(buyer.Kecamatan);
                Office.CountBuyer(Bit(buyer.Office), buyer.Office);
            }
            if (_merchants is null) return;
            foreach (var merchantId in ByMerchant.Keys)
            {
                var merchant = _merchants[merchantId];
                if (merchant.IsNewIn(newSince, period)) NewMerchantSpent += ByMerchant[merchantId].Spent;
                Category.CountMerchant((int)merchant.Category);
                Scale.CountMerchant((int)merchant.Scale);
                Kecamatan.CountMerchant(KecamatanOrdinals[merchant.KecamatanCode]);
            }
            foreach (var (office, _) in OfficeMerchants!) Office.CountMerchant(office);
        }
    }

    /// <summary>Spending, purchases, buyers and merchants per group ordinal.</summary>
    private sealed class GroupTallies
    {
        public readonly Dictionary<int, (long Spent, long Purchases, int Buyers, int Merchants)> Groups = [];

        public void Add(int group, long spent, long purchases, int merchants = 0)
        {
            var g = Groups.GetValueOrDefault(group);
            Groups[group] = (g.Spent + spent, g.Purchases + purchases, g.Buyers, g.Merchants + merchants);
        }

        /// <summary>Counts a buyer in every group of <paramref name="membership"/>, or only in <paramref name="single"/> when given (offices).</summary>
        public void CountBuyer(UInt128 membership, int? single = null)
        {
            if (single is { } only)
            {
                var g = Groups[only];
                Groups[only] = (g.Spent, g.Purchases, g.Buyers + 1, g.Merchants);
                return;
            }
            foreach (var group in Groups.Keys.ToList())
            {
                if ((membership & Bit(group)) == 0) continue;
                var g = Groups[group];
                Groups[group] = (g.Spent, g.Purchases, g.Buyers + 1, g.Merchants);
            }
        }

        /// <summary>Every figure of a group at once (an office's month row).</summary>
        public void Set(int group, long spent, long purchases, int buyers, int merchants) => Groups[group] = (spent, purchases, buyers, merchants);

        /// <summary>Adds distinct buyers counted elsewhere (offices' buyers of the group: an employee has one office).</summary>
        public void AddBuyers(int group, int buyers)
        {
            var g = Groups.GetValueOrDefault(group);
            Groups[group] = (g.Spent, g.Purchases, g.Buyers + buyers, g.Merchants);
        }

        public void CountMerchant(int group)
        {
            var g = Groups[group];
            Groups[group] = (g.Spent, g.Purchases, g.Buyers, g.Merchants + 1);
        }
    }

    /// <summary>
    /// Folds the groups with fewer buyers than the minimum into "OTHER"; while "OTHER" itself has fewer distinct buyers than
    /// the minimum, the shown group with the fewest buyers joins it, so that no shown figure (nor one derived from the
    /// total) describes fewer people than the minimum.
    /// </summary>
    private sealed class Folding(List<BuyerGroups> buyers, int minimum)
    {
        public List<SpendingGroup> Groups(GroupTallies tallies, Func<BuyerGroups, UInt128> membership, Func<int, string> key, Func<int, string> name,
            Func<HashSet<int>, int>? distinctMerchants, bool disjoint = false)
        {
            var folded = tallies.Groups.Where(g => g.Value.Buyers < minimum).Select(g => g.Key).ToHashSet();
            int otherBuyers;
            while (true)
            {
                otherBuyers = DistinctBuyers(folded, membership, tallies, disjoint);
                if (folded.Count == 0 || otherBuyers >= minimum || folded.Count == tallies.Groups.Count) break;
                folded.Add(tallies.Groups.Where(g => !folded.Contains(g.Key))
                    .OrderBy(g => g.Value.Buyers).ThenBy(g => g.Value.Spent).ThenBy(g => key(g.Key), StringComparer.Ordinal).First().Key);
            }

            var shown = tallies.Groups.Where(g => !folded.Contains(g.Key))
                .Select(g => new SpendingGroup(key(g.Key), name(g.Key), g.Value.Spent, g.Value.Purchases, g.Value.Buyers, g.Value.Merchants, 0))
                .OrderByDescending(g => g.SpentRupiah).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (folded.Count > 0)
            {
                var groups = tallies.Groups.Where(g => folded.Contains(g.Key)).Select(g => g.Value).ToList();
                shown.Add(new SpendingGroup(OtherKey, OtherName, groups.Sum(g => g.Spent), groups.Sum(g => g.Purchases), otherBuyers,
                    distinctMerchants?.Invoke(folded) ?? groups.Sum(g => g.Merchants), folded.Count));
            }
            return shown;
        }

        /// <summary>Employees who bought in any of the folded groups.</summary>
        private int DistinctBuyers(HashSet<int> folded, Func<BuyerGroups, UInt128> membership, GroupTallies tallies, bool disjoint)
        {
            if (folded.Count == 0) return 0;
            if (disjoint) return folded.Sum(f => tallies.Groups[f].Buyers);
            UInt128 mask = 0;
            foreach (var group in folded) mask |= Bit(group);
            var count = 0;
            foreach (var buyer in buyers)
                if ((membership(buyer) & mask) != 0) count++;
            return count;
        }
    }
}
