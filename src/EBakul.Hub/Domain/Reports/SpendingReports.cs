using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Where e-Bakul money goes: a month's eligible spending (<see cref="QuotaEvaluator.EligibleSpendingAsync"/>: purchases
/// that stand, at merchants ACTIVE at the purchase's moment, in a category and scale the month's policy counts) grouped
/// by merchant category, kecamatan, office and scale, the top merchants, the share at newly registered merchants, and
/// the trend over months. One pass over the month's (employee, merchant) sums; groups with fewer buyers than
/// <see cref="ReportOptions.MinimumGroupSize"/> are folded into <see cref="OtherKey"/> (docs/reports.md).
/// </summary>
public sealed class SpendingReports(HubDbContext db, QuotaEvaluator evaluator, QuotaPolicies policies, RegencyDirectory regencies, IOptions<ReportOptions> options)
{
    /// <summary>The key of the group that holds the groups too small to show.</summary>
    public const string OtherKey = "OTHER";

    /// <summary>The display name of <see cref="OtherKey"/>.</summary>
    public const string OtherName = "Lainnya";

    private int MinimumGroupSize => Math.Max(1, options.Value.MinimumGroupSize);

    /// <summary>The spending report of a month; <paramref name="topMerchantCount"/> merchants in each top list.</summary>
    public async Task<SpendingReport> MonthAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount, CancellationToken cancellationToken)
    {
        var officeNames = await OfficeNamesAsync(regencyCode, cancellationToken);
        var merchants = await MerchantFactsAsync(regencyCode, cancellationToken);
        return await MonthAsync(regencyCode, period, officeCode, topMerchantCount, merchants, officeNames, cancellationToken);
    }

    /// <summary>
    /// The <paramref name="months"/> months up to <paramref name="endPeriod"/>, oldest first, each with its change from the
    /// month before (which is computed for the first month too).
    /// </summary>
    public async Task<IReadOnlyList<SpendingTrendMonth>> TrendAsync(string regencyCode, Period endPeriod, int months, string? officeCode,
        CancellationToken cancellationToken)
    {
        var officeNames = await OfficeNamesAsync(regencyCode, cancellationToken);
        var merchants = await MerchantFactsAsync(regencyCode, cancellationToken);
        var first = endPeriod;
        for (var i = 1; i < months; i++) first = first.Previous;
        var previous = await MonthAsync(regencyCode, first.Previous, officeCode, 0, merchants, officeNames, cancellationToken);
        var trend = new List<SpendingTrendMonth>(months);
        for (var period = first; period <= endPeriod; period = period.Next)
        {
            var report = await MonthAsync(regencyCode, period, officeCode, 0, merchants, officeNames, cancellationToken);
            var change = report.SpentRupiah - previous.SpentRupiah;
            trend.Add(new SpendingTrendMonth(report, change, previous.SpentRupiah == 0 ? null : BasisPoints.Of(change, previous.SpentRupiah)));
            previous = report;
        }
        return trend;
    }

    private async Task<SpendingReport> MonthAsync(string regencyCode, Period period, string? officeCode, int topMerchantCount,
        Dictionary<string, MerchantFacts> merchants, IReadOnlyDictionary<string, string> officeNames, CancellationToken cancellationToken)
    {
        var minimum = MinimumGroupSize;
        var policy = await policies.InForceAsync(regencyCode, period, cancellationToken);
        if (policy is null) return Empty(regencyCode, period, officeCode, 0, suppressed: false);

        var newSince = period;
        for (var i = 1; i < Math.Max(1, options.Value.NewMerchantMonths); i++) newSince = newSince.Previous;
        var kecamatanOrdinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var officeOrdinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var byMerchant = new Dictionary<string, MerchantTally>(StringComparer.Ordinal);
        var officeMerchants = new HashSet<(int Office, string Merchant)>();
        var category = new GroupTallies();
        var scale = new GroupTallies();
        var kecamatan = new GroupTallies();
        var office = new GroupTallies();
        var buyers = new List<BuyerGroups>();
        long spent = 0, purchases = 0, newMerchantSpent = 0;

        string? currentNip = null;
        BuyerGroups current = default;
        await foreach (var row in evaluator.EligibleSpendingAsync(regencyCode, period, policy, officeCode, cancellationToken))
        {
            if (!merchants.TryGetValue(row.MerchantId, out var merchant))
                merchants[row.MerchantId] = merchant = await MerchantFactsAsync(regencyCode, row.MerchantId, cancellationToken);
            if (row.Nip != currentNip)
            {
                if (currentNip is not null) buyers.Add(current);
                currentNip = row.Nip;
                current = new BuyerGroups(Ordinal(officeOrdinals, row.OfficeCode), 0, 0, 0);
            }
            var kecamatanOrdinal = Ordinal(kecamatanOrdinals, merchant.KecamatanCode);
            current = current with
            {
                Categories = current.Categories | Bit((int)merchant.Category),
                Scales = current.Scales | Bit((int)merchant.Scale),
                Kecamatan = current.Kecamatan | Bit(kecamatanOrdinal),
            };
            category.Add((int)merchant.Category, row.AmountRupiah, row.PurchaseCount);
            scale.Add((int)merchant.Scale, row.AmountRupiah, row.PurchaseCount);
            kecamatan.Add(kecamatanOrdinal, row.AmountRupiah, row.PurchaseCount);
            office.Add(current.Office, row.AmountRupiah, row.PurchaseCount);
            officeMerchants.Add((current.Office, row.MerchantId));
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byMerchant, row.MerchantId, out _);
            tally.Spent += row.AmountRupiah;
            tally.Purchases += row.PurchaseCount;
            tally.Buyers++;
            spent += row.AmountRupiah;
            purchases += row.PurchaseCount;
            if (merchant.IsNewIn(newSince, period)) newMerchantSpent += row.AmountRupiah;
        }
        if (currentNip is not null) buyers.Add(current);

        if (buyers.Count == 0) return Empty(regencyCode, period, officeCode, policy.Version, suppressed: false);
        if (buyers.Count < minimum) return Empty(regencyCode, period, officeCode, policy.Version, suppressed: true);

        foreach (var buyer in buyers)
        {
            category.CountBuyer(buyer.Categories);
            scale.CountBuyer(buyer.Scales);
            kecamatan.CountBuyer(buyer.Kecamatan);
            office.CountBuyer(Bit(buyer.Office), buyer.Office);
        }
        foreach (var (merchantId, tally) in byMerchant)
        {
            var facts = merchants[merchantId];
            category.CountMerchant((int)facts.Category);
            scale.CountMerchant((int)facts.Scale);
            kecamatan.CountMerchant(kecamatanOrdinals[facts.KecamatanCode]);
        }
        foreach (var (officeOrdinal, _) in officeMerchants) office.CountMerchant(officeOrdinal);

        var kecamatanNames = regencies.KecamatanOf(regencyCode).ToDictionary(k => k.Code, k => k.Name, StringComparer.Ordinal);
        var kecamatanKeys = kecamatanOrdinals.ToDictionary(k => k.Value, k => k.Key);
        var officeKeys = officeOrdinals.ToDictionary(o => o.Value, o => o.Key);
        var folding = new Folding(buyers, minimum);
        var byCategory = folding.Groups(category, b => b.Categories, c => "MERCHANT_CATEGORY_" + EnumNames.UpperSnake((MerchantCategory)c),
            c => CategoryName((MerchantCategory)c), null);
        var byScale = folding.Groups(scale, b => b.Scales, c => "MERCHANT_SCALE_" + EnumNames.UpperSnake((MerchantScale)c),
            c => ScaleName((MerchantScale)c), null);
        var byKecamatan = folding.Groups(kecamatan, b => b.Kecamatan, k => kecamatanKeys[k],
            k => kecamatanNames.GetValueOrDefault(kecamatanKeys[k], kecamatanKeys[k]), null);
        var byOffice = folding.Groups(office, b => Bit(b.Office), o => officeKeys[o], o => officeNames.GetValueOrDefault(officeKeys[o], officeKeys[o]),
            folded => officeMerchants.Where(p => folded.Contains(p.Office)).Select(p => p.Merchant).Distinct(StringComparer.Ordinal).Count(),
            disjoint: true);

        List<MerchantSpending> top = topMerchantCount <= 0 ? [] : byMerchant
            .Where(m => m.Value.Buyers >= minimum)
            .Select(m =>
            {
                var facts = merchants[m.Key];
                return new MerchantSpending(m.Key, facts.Name, facts.KecamatanCode, facts.Category, m.Value.Spent, m.Value.Purchases, m.Value.Buyers,
                    facts.IsNewIn(newSince, period));
            }).ToList();
        var byAmount = top.OrderByDescending(m => m.SpentRupiah).ThenBy(m => m.MerchantId, StringComparer.Ordinal).Take(topMerchantCount).ToList();
        var byBuyers = top.OrderByDescending(m => m.BuyerCount).ThenByDescending(m => m.SpentRupiah).ThenBy(m => m.MerchantId, StringComparer.Ordinal)
            .Take(topMerchantCount).ToList();

        return new SpendingReport(regencyCode, period, officeCode, policy.Version, false, minimum, spent, purchases, buyers.Count, byMerchant.Count,
            newMerchantSpent, byCategory, byKecamatan, byOffice, byScale, byAmount, byBuyers);
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
        await ReportSql.ReadAsync(db, ReportSql.OfficeNames, new Dictionary<string, object> { ["$regency"] = regencyCode },
            rows => names[rows.GetString(0)] = rows.GetString(1), cancellationToken);
        return names;
    }

    private async Task<Dictionary<string, MerchantFacts>> MerchantFactsAsync(string regencyCode, CancellationToken cancellationToken)
    {
        var merchants = new Dictionary<string, MerchantFacts>(StringComparer.Ordinal);
        await ReportSql.ReadAsync(db, ReportSql.Merchants, new Dictionary<string, object> { ["$regency"] = regencyCode },
            rows => merchants[rows.GetString(0)] = ReadMerchant(rows), cancellationToken);
        return merchants;
    }

    private async Task<MerchantFacts> MerchantFactsAsync(string regencyCode, string merchantId, CancellationToken cancellationToken)
    {
        MerchantFacts? facts = null;
        await ReportSql.ReadAsync(db, ReportSql.Merchant, new Dictionary<string, object> { ["$regency"] = regencyCode, ["$merchant"] = merchantId },
            rows => facts = ReadMerchant(rows), cancellationToken);
        return facts ?? throw new InvalidOperationException($"merchant {merchantId} of a ledger entry is not in the registry");
    }

    private static MerchantFacts ReadMerchant(System.Data.Common.DbDataReader rows) => new(
        rows.GetString(1), (MerchantCategory)rows.GetInt32(2), (MerchantScale)rows.GetInt32(3), rows.GetString(4),
        rows.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(5)));

    /// <summary>A merchant as the reports use it.</summary>
    private sealed record MerchantFacts(string Name, MerchantCategory Category, MerchantScale Scale, string KecamatanCode, DateTimeOffset? FirstActiveAt)
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

    /// <summary>Spending, purchases, buyers and merchants per group ordinal.</summary>
    private sealed class GroupTallies
    {
        public readonly Dictionary<int, (long Spent, long Purchases, int Buyers, int Merchants)> Groups = [];

        public void Add(int group, long spent, long purchases)
        {
            var g = Groups.GetValueOrDefault(group);
            Groups[group] = (g.Spent + spent, g.Purchases + purchases, g.Buyers, g.Merchants);
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
