using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Domain.Roster;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Integrity;

/// <summary>
/// Computes the integrity signals of one regency's month from the ledger (docs/integrity.md states every rule and its
/// limits). All reads share one snapshot (the rules run in parallel, each on a read connection of its own); each rule is a set-based aggregate that returns only its candidates, and the
/// bounds are applied here, where they can be explained. Signals are computed when asked for and never stored: the same
/// purchases give the same signals with the same ids. Nothing here writes; a signal changes no evaluation.
/// </summary>
public sealed class IntegritySignals(HubDbContext db, DatabaseWriter writer, QuotaPolicies policies, IOptions<IntegrityOptions> options,
    ILogger<IntegritySignals> logger)
{
    /// <summary>Jakarta is UTC+7 all year.</summary>
    private const long JakartaOffsetMs = 7 * 3600_000L;

    private IntegrityOptions Bounds => options.Value;

    /// <summary>The month's signals, strongest first (then by id).</summary>
    public async Task<IReadOnlyList<IntegritySignal>> MonthAsync(string regencyCode, Period period, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var policy = await policies.InForceAsync(regencyCode, period, cancellationToken);
        var month = new MonthData(regencyCode, period);
        // The rules read in parallel, each on a connection of its own, all of one snapshot of the database.
        var snapshots = await writer.Store.OpenSharedSnapshotsAsync(5, writer, cancellationToken);
        try
        {
            var readers = snapshots.Select(s => ReaderOn(s.Connection, s.Snapshot)).ToArray();
            await month.LoadAsync(readers[0], cancellationToken);
            var registry = total.ElapsedMilliseconds;
            async Task<(string Step, List<IntegritySignal> Signals, long Ms)> Timed(string step, Func<Task<List<IntegritySignal>>> rule)
            {
                var watch = Stopwatch.StartNew();
                var found = await Task.Run(rule, cancellationToken);
                return (step, found, watch.ElapsedMilliseconds);
            }
            var results = await Task.WhenAll(
                Timed("merchant rules", async () => await MerchantSignalsAsync(readers[0], month, await BuyerMerchantRowsAsync(readers[0], month, cancellationToken), cancellationToken)),
                Timed("month end", () => QuotaAtMonthEndAsync(readers[1], month, policy, cancellationToken)),
                Timed("sequences", () => ReceiptSequencesAsync(readers[2], month, cancellationToken)),
                Timed("evidence", () => SharedEvidenceAsync(readers[3], month, cancellationToken)),
                Timed("same amount", () => SameAmountGroupsAsync(readers[4], month, cancellationToken)));
            var signals = results.SelectMany(r => r.Signals).ToList();
            logger.LogInformation("Integrity signals of {Regency} {Period}: {Count} signals in {Elapsed} ms (registry {Registry} ms; in parallel: {Steps})",
                regencyCode, period, signals.Count, total.ElapsedMilliseconds, registry, string.Join(", ", results.Select(r => $"{r.Step} {r.Ms} ms")));
            return [.. signals.Select(s => s with { MerchantName = month.Merchants.GetValueOrDefault(s.MerchantId)?.Name ?? "" })
                .OrderByDescending(s => s.Strength).ThenBy(s => s.Id, StringComparer.Ordinal)];
        }
        finally
        {
            foreach (var (connection, snapshot) in snapshots)
            {
                await snapshot.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Runs a read's SQL and hands each row on.</summary>
    private delegate Task Read(string sql, IReadOnlyDictionary<string, object> parameters, Action<DbDataReader> row, CancellationToken cancellationToken);

    /// <summary>Reads on one connection inside its snapshot transaction.</summary>
    private static Read ReaderOn(DbConnection connection, DbTransaction snapshot) => async (sql, parameters, row, cancellationToken) =>
    {
        await using var command = StoreDialect.Command(connection, snapshot, sql);
        foreach (var (name, value) in parameters) StoreDialect.AddParameter(command, name, value);
        command.CommandTimeout = 0;
        await using var rows = await StoreDialect.Announce(command).ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken)) row(rows);
    };

    /// <summary>The purchases behind a signal with the buyers' and merchants' names, in time order.</summary>
    public async Task<IReadOnlyList<SignalPurchase>> PurchasesAsync(string regencyCode, IntegritySignal signal, CancellationToken cancellationToken)
    {
        await using var snapshot = await ReportSql.BeginSnapshotAsync(db, cancellationToken);
        var month = new MonthData(regencyCode, default);
        Read read = (sql, parameters, row, token) => ReportSql.ReadAsync(db, sql, parameters, row, token);
        await month.LoadAsync(read, cancellationToken);
        var purchases = new List<SignalPurchase>(signal.EntryIds.Count);
        foreach (var chunk in signal.EntryIds.Chunk(500))
        {
            var parameters = new Dictionary<string, object>();
            for (var i = 0; i < chunk.Length; i++) parameters[$"@entry{i}"] = chunk[i];
            await read(IntegritySql.Entries(chunk.Length), parameters, r =>
            {
                var nip = r.GetString(1);
                var merchantId = r.GetString(3);
                purchases.Add(new SignalPurchase(r.GetString(0), nip, month.Employees.GetValueOrDefault(nip)?.Name ?? "", r.GetString(2),
                    merchantId, month.Merchants.GetValueOrDefault(merchantId)?.Name ?? "", Long(r, 4),
                    DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 5)), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)));
            }, cancellationToken);
        }
        return [.. purchases.OrderBy(p => p.OccurredAt).ThenBy(p => p.EntryId, StringComparer.Ordinal)];
    }

    // ------------------------------------------------------------------ merchant level: captive office, scale, new merchant

    private readonly record struct BuyerMerchantRow(string MerchantId, string OfficeCode, string Nip, int Purchases, long Sum, long FirstAt, long LastAt);

    private static async Task<List<BuyerMerchantRow>> BuyerMerchantRowsAsync(Read read, MonthData month, CancellationToken cancellationToken)
    {
        var rows = new List<BuyerMerchantRow>();
        await read(IntegritySql.BuyerMerchantFigures, month.Parameters(), r =>
            rows.Add(new BuyerMerchantRow(r.GetString(0), r.GetString(1), r.GetString(2), (int)Long(r, 3), Long(r, 4), Long(r, 5), Long(r, 6))),
            cancellationToken);
        return rows;
    }

    private async Task<List<IntegritySignal>> MerchantSignalsAsync(Read read, MonthData month, List<BuyerMerchantRow> rows, CancellationToken cancellationToken)
    {
        var byMerchant = rows.GroupBy(r => r.MerchantId).ToDictionary(g => g.Key, g => g.ToList());
        var takings = byMerchant.ToDictionary(g => g.Key, g => (Sum: g.Value.Sum(r => r.Sum), Count: g.Value.Sum(r => (long)r.Purchases),
            MainOffice: g.Value.GroupBy(r => r.OfficeCode).Max(o => o.Sum(r => r.Sum))));

        // Peers: the merchants with takings of the same kecamatan and category; the regency's of the category when the
        // kecamatan has fewer than five.
        var peerGroups = takings.Keys.Where(month.Merchants.ContainsKey)
            .GroupBy(id => (month.Merchants[id].KecamatanCode, month.Merchants[id].Category))
            .ToDictionary(g => g.Key, g => g.ToList());
        var categoryGroups = takings.Keys.Where(month.Merchants.ContainsKey)
            .GroupBy(id => month.Merchants[id].Category).ToDictionary(g => g.Key, g => g.ToList());
        // Each peer group's figures once: the median of what a peer takes from its main office (the office it takes most from:
        // one office's money against one office's money, so a busy town warung's many offices do not hide an arranged one),
        // the median of the peers' average purchases (one large merchant among small ones does not move it), merchants.
        var groupFigures = new Dictionary<List<string>, (long Median, long Average, int Count)>(ReferenceEqualityComparer.Instance);
        (long Median, long Average, int Count) FiguresOf(List<string> group)
        {
            if (groupFigures.TryGetValue(group, out var known)) return known;
            var mainOffice = group.Select(id => takings[id].MainOffice).Order().ToList();
            var averages = group.Select(id => takings[id].Count == 0 ? 0 : takings[id].Sum / takings[id].Count).Order().ToList();
            return groupFigures[group] = (mainOffice[mainOffice.Count / 2], averages[averages.Count / 2], group.Count);
        }
        (long Median, long Average, int Count, bool Regency) PeersOf(MerchantInfo m)
        {
            var local = peerGroups.GetValueOrDefault((m.KecamatanCode, m.Category)) ?? [];
            var group = local.Count >= 5 ? local : categoryGroups.GetValueOrDefault(m.Category) ?? [];
            if (group.Count == 0) return (0, 0, 0, false);
            var (median, average, merchants) = FiguresOf(group);
            return (median, average, merchants, local.Count < 5);
        }

        var signals = new List<IntegritySignal>();
        var needPurchases = new List<(SignalKind Kind, string MerchantId, string? Office, Func<IReadOnlyList<string>, IntegritySignal> Make)>();
        foreach (var (merchantId, merchantRows) in byMerchant)
        {
            if (!month.Merchants.TryGetValue(merchantId, out var merchant)) continue;
            var (sum, count, _) = takings[merchantId];

            // Scale: e-Bakul takings alone beyond a month of the registered scale's yearly sales.
            var annual = AnnualSalesLimit(merchant.Scale);
            var monthLimit = annual / 12;
            if (sum > monthLimit)
            {
                var buyers = merchantRows.Select(r => r.Nip).Distinct().Count();
                needPurchases.Add((SignalKind.ScaleExceeded, merchantId, null, entries => new IntegritySignal(
                    SignalId(SignalKind.ScaleExceeded, month, merchantId), SignalKind.ScaleExceeded, Strength(40, (double)sum / monthLimit),
                    $"Penerimaan e-Bakul {merchant.Name} bulan {month.PeriodName} Rp{Rupiah(sum)} dari {buyers} pembeli, lebih dari batas " +
                    $"sebulan skala {ScaleName(merchant.Scale)} yang terdaftar, Rp{Rupiah(monthLimit)} (hasil penjualan setahun paling banyak " +
                    $"Rp{Rupiah(annual)} dibagi 12). Penerimaan e-Bakul saja sudah melampaui seluruh omzet yang dimungkinkan skalanya: " +
                    "skala yang terdaftar atau penerimaan itu perlu diperiksa.",
                    [Figure("takings_rupiah", "Penerimaan e-Bakul sebulan (Rp)", sum), Figure("month_limit_rupiah", "Batas sebulan skala terdaftar (Rp)", monthLimit),
                     Figure("annual_limit_rupiah", "Batas hasil penjualan setahun (Rp)", annual), Figure("purchase_count", "Jumlah pembelian", count),
                     Figure("buyer_count", "Jumlah pembeli", buyers)],
                    merchantId, null, [], entries, sum, buyers)));
            }

            // New merchant: verified shortly before the month's end, heavy takings from very few buyers at once.
            if (merchant.FirstVerifiedAt is { } verifiedMs && sum >= Bounds.NewMerchantTakingsRupiah)
            {
                var verified = DateTimeOffset.FromUnixTimeMilliseconds(verifiedMs);
                var daysBeforeEnd = (month.Period.End - verified).TotalDays;
                var nips = merchantRows.Select(r => r.Nip).Distinct().Order(StringComparer.Ordinal).ToList();
                var first = merchantRows.Min(r => r.FirstAt);
                var last = merchantRows.Max(r => r.LastAt);
                if (daysBeforeEnd <= Bounds.NewMerchantDays && nips.Count <= Bounds.NewMerchantMaximumBuyers
                    && last - first <= (long)Bounds.NewMerchantSpan.TotalMilliseconds)
                {
                    var hours = Math.Max(1, (long)Math.Ceiling((last - first) / 3600_000.0));
                    needPurchases.Add((SignalKind.NewMerchantFewBuyers, merchantId, null, entries => new IntegritySignal(
                        SignalId(SignalKind.NewMerchantFewBuyers, month, merchantId), SignalKind.NewMerchantFewBuyers,
                        Strength(50, (double)sum / Bounds.NewMerchantTakingsRupiah),
                        $"{merchant.Name} baru diverifikasi pada {Date(verified)} ({(int)daysBeforeEnd} hari sebelum akhir bulan) dan bulan ini " +
                        $"menerima Rp{Rupiah(sum)} dalam {count} pembelian dari hanya {nips.Count} pembeli, semuanya dalam {hours} jam " +
                        $"({DateTime(first)} sampai {DateTime(last)}). Toko baru yang sungguh berjualan mendapat banyak pembeli kecil, " +
                        "bukan belanja besar dari segelintir orang sekaligus.",
                        [Figure("takings_rupiah", "Penerimaan e-Bakul sebulan (Rp)", sum), Figure("buyer_count", "Jumlah pembeli", nips.Count),
                         Figure("purchase_count", "Jumlah pembelian", count), Figure("days_since_verification", "Hari sejak verifikasi sampai akhir bulan", (long)daysBeforeEnd),
                         Figure("span_hours", "Rentang waktu pembelian (jam)", hours)],
                        merchantId, null, nips, entries, sum, nips.Count)));
                }
            }

            // Captive office: one office's takings far beyond the peers, in large purchases, most buyers once only.
            var peers = PeersOf(merchant);
            foreach (var office in merchantRows.GroupBy(r => r.OfficeCode))
            {
                var officeSum = office.Sum(r => r.Sum);
                var officeCount = office.Sum(r => (long)r.Purchases);
                var buyers = office.Count();
                if (buyers < Bounds.CaptiveMinimumBuyers || sum == 0 || peers.Count == 0) continue;
                var share = BasisPoints.Of(officeSum, sum);
                var average = officeSum / officeCount;
                var once = office.Count(r => r.Purchases == 1);
                var onceShare = BasisPoints.Of(once, buyers);
                var timesMedian = peers.Median == 0 ? double.PositiveInfinity : (double)officeSum / peers.Median;
                var timesAverage = peers.Average == 0 ? double.PositiveInfinity : (double)average / peers.Average;
                if (share < Bounds.CaptiveOfficeShareBasisPoints || timesMedian < Bounds.CaptiveTakingsTimesPeerMedian
                    || timesAverage < Bounds.CaptiveAverageTimesPeerAverage || onceShare < Bounds.CaptiveOneVisitShareBasisPoints
                    || average < Bounds.LargePurchaseRupiah)
                    continue;
                var officeCode = office.Key;
                var officeName = month.OfficeName(officeCode);
                var nips = office.Select(r => r.Nip).Order(StringComparer.Ordinal).ToList();
                var peerWhere = peers.Regency ? "se-kabupaten" : "di kecamatan yang sama";
                needPurchases.Add((SignalKind.OfficeCaptiveMerchant, merchantId, officeCode, entries => new IntegritySignal(
                    SignalId(SignalKind.OfficeCaptiveMerchant, month, merchantId + "|" + officeCode), SignalKind.OfficeCaptiveMerchant,
                    Strength(45, Math.Min(timesMedian / Bounds.CaptiveTakingsTimesPeerMedian, timesAverage / Bounds.CaptiveAverageTimesPeerAverage)),
                    $"{merchant.Name} menerima Rp{Rupiah(officeSum)} dari {buyers} pegawai {officeName}, {Percent(share)} dari seluruh penerimaan " +
                    $"e-Bakul-nya bulan {month.PeriodName}. Itu {Times(timesMedian)} kali yang biasa diterima toko sejenis dari OPD terbesarnya " +
                    $"(median {peers.Count} toko {CategoryName(merchant.Category)} {peerWhere}: Rp{Rupiah(peers.Median)}). Rata-rata pembeliannya " +
                    $"Rp{Rupiah(average)}, {Times(timesAverage)} kali rata-rata pembelian yang biasa di toko sejenis (median Rp{Rupiah(peers.Average)}), " +
                    $"dan {once} dari {buyers} pembeli hanya sekali berbelanja di sana. Kantin kantor " +
                    "juga dominan dari satu OPD, tetapi dengan belanja kecil yang berulang; di sini belanjanya besar dan sekali saja.",
                    [Figure("office_takings_rupiah", "Penerimaan dari OPD ini (Rp)", officeSum), Figure("office_share_basis_points", "Bagian dari OPD ini (basis poin)", share),
                     Figure("peer_median_rupiah", "Median penerimaan toko sejenis dari OPD terbesarnya (Rp)", peers.Median), Figure("average_purchase_rupiah", "Rata-rata pembelian (Rp)", average),
                     Figure("peer_average_purchase_rupiah", "Median rata-rata pembelian toko sejenis (Rp)", peers.Average), Figure("buyer_count", "Jumlah pembeli", buyers),
                     Figure("one_visit_buyer_count", "Pembeli yang hanya sekali", once), Figure("peer_merchant_count", "Jumlah toko sejenis", peers.Count)],
                    merchantId, officeCode, nips, entries, officeSum, buyers)));
            }
        }

        // The entries behind the merchant-level signals: the month's purchases at those merchants (of the office, for a captive one).
        var entriesOf = new Dictionary<string, List<(string Id, string Office)>>();
        foreach (var chunk in needPurchases.Select(n => n.MerchantId).Distinct().Chunk(200))
        {
            var parameters = month.Parameters();
            for (var i = 0; i < chunk.Length; i++) parameters[$"@merchant{i}"] = chunk[i];
            await read(IntegritySql.PurchasesAt(chunk.Length), parameters, r =>
            {
                var merchantId = r.GetString(1);
                if (!entriesOf.TryGetValue(merchantId, out var list)) entriesOf[merchantId] = list = [];
                list.Add((r.GetString(0), r.GetString(2)));
            }, cancellationToken);
        }
        foreach (var (_, merchantId, office, make) in needPurchases)
        {
            var entries = entriesOf.GetValueOrDefault(merchantId) ?? [];
            signals.Add(make([.. entries.Where(e => office is null || e.Office == office).Select(e => e.Id).Order(StringComparer.Ordinal)]));
        }
        return signals;
    }

    private long AnnualSalesLimit(MerchantScale scale) => scale switch
    {
        MerchantScale.UltraMicro => Bounds.UltraMicroAnnualSalesRupiah,
        MerchantScale.Micro => 2_000_000_000,
        MerchantScale.Small => 15_000_000_000,
        _ => 50_000_000_000,
    };

    // ------------------------------------------------------------------ quota at month end

    private async Task<List<IntegritySignal>> QuotaAtMonthEndAsync(Read read, MonthData month, QuotaPolicy? policy, CancellationToken cancellationToken)
    {
        if (policy is null) return [];
        var months = new List<Period> { month.Period };
        for (var i = 0; i < Bounds.QuotaLookBackMonths; i++) months.Add(months[^1].Previous);
        var parameters = new Dictionary<string, object> { ["@regency"] = month.RegencyCode };
        for (var i = 0; i < months.Count; i++) parameters[$"@period{i}"] = months[i].Key;

        // Per employee and month, the purchase that alone is at least 4/5 of the month.
        var dominant = new Dictionary<(string Nip, int PeriodKey), (string MerchantId, long Amount, long At, string EntryId)>();
        await read(IntegritySql.DominantPurchases(months.Count), parameters, r =>
            dominant[(r.GetString(0), (int)Long(r, 1))] = (r.GetString(2), Long(r, 3), Long(r, 4), r.GetString(5)), cancellationToken);

        var signals = new List<IntegritySignal>();
        foreach (var ((nip, periodKey), purchase) in dominant)
        {
            if (periodKey != month.Period.Key || !month.Employees.TryGetValue(nip, out var employee)) continue;
            long required;
            try
            {
                required = policy.FullMonthRequired(employee.KelasJabatan, employee.Echelon, employee.TppCeilingRupiah);
            }
            catch (InvalidOperationException)
            {
                continue;
            }
            if (required <= 0) continue;
            bool Matches(Period period, (string MerchantId, long Amount, long At, string EntryId) p) =>
                p.MerchantId == purchase.MerchantId && p.Amount >= required
                && p.Amount <= required + required * Bounds.QuotaToleranceBasisPoints / 10_000
                && Period.DateOf(DateTimeOffset.FromUnixTimeMilliseconds(p.At)) > period.LastDay.AddDays(-Bounds.MonthEndDays);
            if (!Matches(month.Period, purchase)) continue;
            var repeats = months.Skip(1).Where(p => dominant.TryGetValue((nip, p.Key), out var earlier) && Matches(p, earlier)).ToList();
            if (repeats.Count < Bounds.QuotaRepeatMonths) continue;

            var merchantName = month.Merchants.GetValueOrDefault(purchase.MerchantId)?.Name ?? purchase.MerchantId;
            var entries = new List<string> { purchase.EntryId };
            entries.AddRange(repeats.Select(p => dominant[(nip, p.Key)].EntryId));
            signals.Add(new IntegritySignal(
                SignalId(SignalKind.QuotaAtMonthEnd, month, nip + "|" + purchase.MerchantId), SignalKind.QuotaAtMonthEnd,
                Strength(50, 1 + repeats.Count - Bounds.QuotaRepeatMonths),
                $"{employee.Name} (NIP {nip}) memenuhi kewajiban bulan {month.PeriodName} dengan satu pembelian Rp{Rupiah(purchase.Amount)} pada " +
                $"{DateTime(purchase.At)} di {merchantName}, hampir tepat jumlah wajibnya Rp{Rupiah(required)}, dalam {Bounds.MonthEndDays} hari " +
                $"terakhir bulan. Pola yang sama di toko yang sama terjadi juga pada {repeats.Count} dari {Bounds.QuotaLookBackMonths} bulan sebelumnya " +
                $"({string.Join(", ", repeats.Select(p => p.ToString()))}). Belanja sungguhan jarang jatuh tepat pada jumlah wajib di toko yang sama " +
                "pada akhir bulan, bulan demi bulan.",
                [Figure("amount_rupiah", "Pembelian bulan ini (Rp)", purchase.Amount), Figure("required_rupiah", "Jumlah wajib sebulan (Rp)", required),
                 Figure("repeat_months", "Bulan sebelumnya dengan pola sama", repeats.Count), Figure("look_back_months", "Bulan yang diperiksa ke belakang", Bounds.QuotaLookBackMonths)],
                purchase.MerchantId, employee.OfficeCode, [nip], entries, purchase.Amount, 1));
        }
        return signals;
    }

    // ------------------------------------------------------------------ receipt sequence

    private async Task<List<IntegritySignal>> ReceiptSequencesAsync(Read read, MonthData month, CancellationToken cancellationToken)
    {
        var parameters = month.Parameters();
        parameters["@large"] = Bounds.LargePurchaseRupiah;
        var gap = (long)Bounds.SequenceGap.TotalMilliseconds;
        parameters["@gap"] = gap;
        var close = new List<(string MerchantId, long At, string Id, string Nip, long Amount, string Reference)>();
        await read(IntegritySql.CloseLargePurchases, parameters, r =>
            close.Add((r.GetString(0), Long(r, 1), r.GetString(2), r.GetString(3), Long(r, 4), r.GetString(5))), cancellationToken);

        var signals = new List<IntegritySignal>();
        // Bursts: a merchant's purchases each within the gap of the one before.
        var burst = new List<(string MerchantId, long At, string Id, string Nip, long Amount, string Reference)>();
        void Flush()
        {
            if (burst.Count >= Bounds.SequenceMinimumReceipts) signals.AddRange(SequencesIn(month, burst));
            burst.Clear();
        }
        foreach (var row in close)
        {
            if (burst.Count > 0 && (burst[^1].MerchantId != row.MerchantId || row.At - burst[^1].At > gap)) Flush();
            burst.Add(row);
        }
        Flush();
        return signals;
    }

    /// <summary>Runs of consecutive receipt numbers (same text before the number) to different buyers inside one burst.</summary>
    private IEnumerable<IntegritySignal> SequencesIn(MonthData month,
        List<(string MerchantId, long At, string Id, string Nip, long Amount, string Reference)> burst)
    {
        var numbered = burst.Select(p => (p, Parsed: ReceiptNumber(p.Reference))).Where(x => x.Parsed is not null)
            .GroupBy(x => x.Parsed!.Value.Prefix);
        foreach (var series in numbered)
        {
            var sorted = series.OrderBy(x => x.Parsed!.Value.Number).ToList();
            var run = new List<(string MerchantId, long At, string Id, string Nip, long Amount, string Reference)> { sorted[0].p };
            for (var i = 1; i <= sorted.Count; i++)
            {
                if (i < sorted.Count && sorted[i].Parsed!.Value.Number == sorted[i - 1].Parsed!.Value.Number + 1)
                {
                    run.Add(sorted[i].p);
                    continue;
                }
                var buyers = run.Select(p => p.Nip).Distinct().Count();
                if (run.Count >= Bounds.SequenceMinimumReceipts && buyers >= Bounds.SequenceMinimumReceipts)
                    yield return SequenceSignal(month, [.. run], buyers);
                if (i < sorted.Count) run = [sorted[i].p];
            }
        }
    }

    private static IntegritySignal SequenceSignal(MonthData month,
        List<(string MerchantId, long At, string Id, string Nip, long Amount, string Reference)> run, int buyers)
    {
        var merchantId = run[0].MerchantId;
        var merchantName = month.Merchants.GetValueOrDefault(merchantId)?.Name ?? merchantId;
        var first = run.Min(p => p.At);
        var last = run.Max(p => p.At);
        var minutes = Math.Max(1, (long)Math.Ceiling((last - first) / 60_000.0));
        var sum = run.Sum(p => p.Amount);
        var nips = run.Select(p => p.Nip).Distinct().Order(StringComparer.Ordinal).ToList();
        return new IntegritySignal(
            SignalId(SignalKind.ReceiptSequence, month, merchantId + "|" + run.Min(p => p.Reference)), SignalKind.ReceiptSequence,
            Strength(55, run.Count / 5.0),
            $"{run.Count} nota berurutan dari {merchantName} ({run[0].Reference} sampai {run[^1].Reference}) diberikan kepada {buyers} pembeli " +
            $"berbeda dalam {minutes} menit pada {DateTime(first)}, masing-masing Rp{Rupiah(run.Min(p => p.Amount))} sampai " +
            $"Rp{Rupiah(run.Max(p => p.Amount))}, seluruhnya Rp{Rupiah(sum)}. Di toko yang sungguh melayani pembeli, nota pembeli lain " +
            "terselip di antara nota pegawai; deretan nota tanpa celah untuk belanja sebesar ini menunjukkan nota yang ditulis sekaligus.",
            [Figure("receipt_count", "Jumlah nota berurutan", run.Count), Figure("buyer_count", "Jumlah pembeli", buyers),
             Figure("span_minutes", "Rentang waktu (menit)", minutes), Figure("amount_rupiah", "Jumlah seluruhnya (Rp)", sum)],
            merchantId, null, nips, [.. run.Select(p => p.Id)], sum, buyers);
    }

    /// <summary>The text before a receipt reference's last run of digits and that number; null when it ends in no digit.</summary>
    internal static (string Prefix, long Number)? ReceiptNumber(string reference)
    {
        var end = reference.Length;
        var start = end;
        while (start > 0 && char.IsAsciiDigit(reference[start - 1])) start--;
        if (start == end || end - start > 18) return null;
        return (reference[..start], long.Parse(reference.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    // ------------------------------------------------------------------ shared evidence

    private static async Task<List<IntegritySignal>> SharedEvidenceAsync(Read read, MonthData month, CancellationToken cancellationToken)
    {
        var rows = new List<(string Digest, string Id, string Nip, string MerchantId, long Amount)>();
        await read(IntegritySql.SharedEvidence, month.Parameters(), r =>
            rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Long(r, 4))), cancellationToken);
        var signals = new List<IntegritySignal>();
        foreach (var digest in rows.GroupBy(r => r.Digest))
        {
            var list = digest.ToList();
            var nips = list.Select(p => p.Nip).Distinct().Order(StringComparer.Ordinal).ToList();
            var merchants = list.Select(p => p.MerchantId).Distinct().ToList();
            var sum = list.Sum(p => p.Amount);
            var names = string.Join(", ", merchants.Select(m => month.Merchants.GetValueOrDefault(m)?.Name ?? m));
            signals.Add(new IntegritySignal(
                SignalId(SignalKind.SharedEvidence, month, digest.Key), SignalKind.SharedEvidence, Strength(70, list.Count / 2.0),
                $"Bukti yang sama (sidik SHA-256 {digest.Key[..Math.Min(12, digest.Key.Length)]}…) dilampirkan pada {list.Count} pembelian berbeda " +
                $"oleh {nips.Count} pembeli di {names}, seluruhnya Rp{Rupiah(sum)}. Satu foto nota atau bukti bayar hanya dapat menjadi bukti " +
                "satu pembelian.",
                [Figure("purchase_count", "Jumlah pembelian dengan bukti ini", list.Count), Figure("buyer_count", "Jumlah pembeli", nips.Count),
                 Figure("merchant_count", "Jumlah toko", merchants.Count), Figure("amount_rupiah", "Jumlah seluruhnya (Rp)", sum)],
                merchants[0], null, nips, [.. list.Select(p => p.Id)], sum, nips.Count));
        }
        return signals;
    }

    // ------------------------------------------------------------------ same amount group

    private async Task<List<IntegritySignal>> SameAmountGroupsAsync(Read read, MonthData month, CancellationToken cancellationToken)
    {
        var parameters = month.Parameters();
        parameters["@large"] = Bounds.LargePurchaseRupiah;
        parameters["@buyers"] = Bounds.MinimumBuyers;
        parameters["@offset"] = JakartaOffsetMs;
        var groups = new List<(string MerchantId, string Office, long Day, long Amount, int Buyers)>();
        await read(IntegritySql.SameAmountGroups, parameters, r =>
            groups.Add((r.GetString(0), r.GetString(1), Long(r, 2), Long(r, 3), (int)Long(r, 4))), cancellationToken);
        if (groups.Count == 0) return [];

        // The entries of each group: the month's purchases at those merchants, matched on office, day and amount.
        var entries = new Dictionary<(string, string, long, long), List<(string Id, string Nip)>>();
        foreach (var chunk in groups.Select(g => g.MerchantId).Distinct().Chunk(200))
        {
            var p = month.Parameters();
            for (var i = 0; i < chunk.Length; i++) p[$"@merchant{i}"] = chunk[i];
            await read(IntegritySql.PurchasesAt(chunk.Length), p, r =>
            {
                var key = (r.GetString(1), r.GetString(2), (Long(r, 5) + JakartaOffsetMs) / 86_400_000, Long(r, 4));
                if (!entries.TryGetValue(key, out var list)) entries[key] = list = [];
                list.Add((r.GetString(0), r.GetString(3)));
            }, cancellationToken);
        }
        var signals = new List<IntegritySignal>();
        foreach (var g in groups)
        {
            var list = entries.GetValueOrDefault((g.MerchantId, g.Office, g.Day, g.Amount)) ?? [];
            var nips = list.Select(e => e.Nip).Distinct().Order(StringComparer.Ordinal).ToList();
            var date = DateOnly.FromDayNumber((int)g.Day + DateOnly.FromDateTime(System.DateTime.UnixEpoch).DayNumber);
            var merchantName = month.Merchants.GetValueOrDefault(g.MerchantId)?.Name ?? g.MerchantId;
            var sum = g.Amount * list.Count;
            signals.Add(new IntegritySignal(
                SignalId(SignalKind.SameAmountGroup, month, $"{g.MerchantId}|{g.Office}|{g.Day}|{g.Amount}"), SignalKind.SameAmountGroup,
                Strength(45, (double)g.Buyers / Bounds.MinimumBuyers),
                $"{g.Buyers} pegawai {month.OfficeName(g.Office)} membeli dengan jumlah yang persis sama, Rp{Rupiah(g.Amount)}, di {merchantName} " +
                $"pada {date:dd-MM-yyyy}. Belanja sebesar ini jarang sama sampai rupiah terakhir; harga menu yang sama (makan siang bersama) " +
                $"tidak sampai Rp{Rupiah(Bounds.LargePurchaseRupiah)}.",
                [Figure("buyer_count", "Jumlah pegawai", g.Buyers), Figure("amount_rupiah", "Jumlah tiap pembelian (Rp)", g.Amount),
                 Figure("total_rupiah", "Jumlah seluruhnya (Rp)", sum)],
                g.MerchantId, g.Office, nips, [.. list.Select(e => e.Id).Order(StringComparer.Ordinal)], sum, g.Buyers));
        }
        return signals;
    }

    // ------------------------------------------------------------------ shared pieces

    /// <summary>A stable id: the kind's short name and a digest of the regency, month and what the signal is about.</summary>
    private static string SignalId(SignalKind kind, MonthData month, string key)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{(int)kind}|{month.RegencyCode}|{month.Period.Key}|{key}"));
        return $"{ShortName(kind)}-{Convert.ToHexStringLower(digest.AsSpan(0, 10))}";
    }

    private static string ShortName(SignalKind kind) => kind switch
    {
        SignalKind.OfficeCaptiveMerchant => "captive",
        SignalKind.QuotaAtMonthEnd => "monthend",
        SignalKind.ReceiptSequence => "sequence",
        SignalKind.SharedEvidence => "evidence",
        SignalKind.ScaleExceeded => "scale",
        SignalKind.NewMerchantFewBuyers => "newmerchant",
        _ => "sameamount",
    };

    /// <summary>The strength of a signal whose figures are <paramref name="excess"/> times the rule's bound: from the kind's base up to 100.</summary>
    private static int Strength(int baseStrength, double excess) =>
        (int)Math.Clamp(baseStrength + 15 * Math.Log2(Math.Max(1, double.IsFinite(excess) ? excess : 8)), 1, 100);

    private static SignalFigure Figure(string name, string label, long value) => new(name, label, value);

    private static long Long(DbDataReader r, int column) => Convert.ToInt64(r.GetValue(column), CultureInfo.InvariantCulture);

    /// <summary>Rupiah with dots between thousands, as written in Indonesia.</summary>
    internal static string Rupiah(long value) => value.ToString("N0", CultureInfo.InvariantCulture).Replace(',', '.');

    private static string Percent(int basisPoints) => (basisPoints / 100).ToString(CultureInfo.InvariantCulture) + "%";

    private static string Times(double value) => double.IsFinite(value) ? Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture).Replace('.', ',') : "tak terhingga";

    private static string Date(DateTimeOffset instant) => Period.DateOf(instant).ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);

    private static string DateTime(long unixMs)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), Period.Jakarta);
        return local.ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture) + " WIB";
    }

    private static string ScaleName(MerchantScale scale) => scale switch
    {
        MerchantScale.UltraMicro => "ultra mikro",
        MerchantScale.Micro => "mikro",
        MerchantScale.Small => "kecil",
        _ => "menengah",
    };

    private static string CategoryName(MerchantCategory category) => category switch
    {
        MerchantCategory.FoodAndDrink => "makanan dan minuman",
        MerchantCategory.Services => "jasa",
        MerchantCategory.DailyNeeds => "kebutuhan sehari-hari",
        MerchantCategory.IkmProduct => "produk IKM",
        MerchantCategory.Craft => "kerajinan",
        _ => "lain",
    };

    private sealed record MerchantInfo(string Name, string KecamatanCode, MerchantCategory Category, MerchantScale Scale, long? FirstVerifiedAt);

    private sealed record EmployeeInfo(string Name, string OfficeCode, int KelasJabatan, Echelon Echelon, long TppCeilingRupiah);

    /// <summary>The regency's merchants, employees and offices, read once per computation.</summary>
    private sealed class MonthData(string regencyCode, Period period)
    {
        public string RegencyCode { get; } = regencyCode;
        public Period Period { get; } = period;
        public string PeriodName => Period.ToString();
        public Dictionary<string, MerchantInfo> Merchants { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, EmployeeInfo> Employees { get; } = new(StringComparer.Ordinal);
        private Dictionary<string, string> OfficeNames { get; } = new(StringComparer.Ordinal);

        public string OfficeName(string code) => OfficeNames.TryGetValue(code, out var name) ? $"{name} ({code})" : code;

        public Dictionary<string, object> Parameters() => new() { ["@regency"] = RegencyCode, ["@period"] = Period.Key };

        public async Task LoadAsync(Read read, CancellationToken cancellationToken)
        {
            var regency = new Dictionary<string, object> { ["@regency"] = RegencyCode };
            await read(IntegritySql.Merchants, regency, r => Merchants[r.GetString(0)] = new MerchantInfo(
                r.GetString(1), r.GetString(2), (MerchantCategory)Long(r, 3), (MerchantScale)Long(r, 4), r.IsDBNull(5) ? null : Long(r, 5)),
                cancellationToken);
            await read(IntegritySql.Employees, regency, r => Employees[r.GetString(0)] = new EmployeeInfo(
                r.GetString(1), r.GetString(2), (int)Long(r, 3), (Echelon)Long(r, 4), Long(r, 5)), cancellationToken);
            await read(IntegritySql.Offices, regency, r => OfficeNames[r.GetString(0)] = r.GetString(1), cancellationToken);
        }
    }
}
