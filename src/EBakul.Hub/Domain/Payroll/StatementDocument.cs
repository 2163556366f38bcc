using System.Globalization;
using System.Net;
using System.Text;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Roster;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// An <see cref="EmployeeStatement"/> as a printable HTML document in Indonesian: the policy's rule in words, the
/// requirement, every purchase with what counted and why, the per-merchant caps, the result and the correction, and the
/// adjustment's revisions. Self-contained (no script, no external resource) with a print stylesheet, so a browser prints
/// it to paper or PDF as it is. Amounts are <c>Rp1.234.567</c>; times are WIB.
/// </summary>
public static class StatementDocument
{
    /// <summary>The media type of the document.</summary>
    public const string ContentType = "text/html; charset=utf-8";

    private static readonly string[] MonthNames =
        ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];

    /// <summary>The document, UTF-8 encoded.</summary>
    public static byte[] Render(EmployeeStatement statement) => Encoding.UTF8.GetBytes(RenderText(statement));

    /// <summary>The document as text.</summary>
    public static string RenderText(EmployeeStatement statement)
    {
        var evaluation = statement.Detail.Evaluation;
        var policy = statement.Detail.Policy;
        var month = MonthName(statement.Period);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="id">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Pernyataan e-Bakul {{E(month)}}, NIP {{E(statement.Nip)}}</title>
            <style>
            body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
            h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #999; }
            table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
            th { background: #eee; } td.rp, th.rp { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: bold; } dd { margin: 0; }
            .result { font-size: 1.1rem; } .muted { color: #555; font-size: .9rem; }
            @media print { body { margin: 0; max-width: none; font-size: 10pt; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
            </style>
            </head>
            <body>
            <h1>Pernyataan Kewajiban Belanja e-Bakul</h1>
            <p class="muted">Bulan {{E(month)}} · dibuat {{E(Time(statement.CreatedAt))}}</p>
            <dl>
            <dt>NIP</dt><dd>{{E(statement.Nip)}}</dd>
            <dt>Kabupaten/kota</dt><dd>{{E(statement.RegencyCode)}}</dd>
            <dt>Perangkat daerah</dt><dd>{{E(statement.OfficeCode)}}</dd>
            <dt>Bulan</dt><dd>{{E(month)}} ({{E(PeriodStatusName(statement.PeriodStatus))}})</dd>
            <dt>Kebijakan</dt><dd>versi {{policy.Version}}, berlaku sejak {{E(MonthName(policy.EffectivePeriod))}}</dd>
            </dl>

            <h2>Aturan</h2>
            <p>{{E(PolicyRule(policy))}}</p>

            <h2>Kewajiban bulan ini</h2>
            <dl>
            <dt>Kewajiban sebulan penuh</dt><dd>{{Rp(evaluation.FullMonthRequiredRupiah)}}</dd>
            <dt>Hari aktif</dt><dd>{{evaluation.ActiveDays}} dari {{evaluation.DaysInPeriod}} hari</dd>
            <dt>Kewajiban bulan ini</dt><dd>{{Rp(evaluation.RequiredRupiah)}}{{E(RequirementNote(evaluation, policy))}}</dd>
            <dt>Batas per usaha</dt><dd>{{(evaluation.MerchantCapRupiah is { } cap ? Rp(cap) : "tidak berlaku (tidak ada kewajiban)")}}</dd>
            </dl>

            <h2>Belanja</h2>
            """);

        if (statement.Detail.Purchases.Count == 0)
        {
            html.Append("<p>Tidak ada belanja tercatat bulan ini.</p>\n");
        }
        else
        {
            html.Append("""
                <table>
                <caption class="muted">Setiap belanja bulan ini, urut waktu transaksi</caption>
                <thead><tr><th scope="col">Waktu (WIB)</th><th scope="col">Usaha</th><th scope="col">Nota/referensi</th><th scope="col" class="rp">Jumlah</th><th scope="col" class="rp">Dihitung</th><th scope="col">Keterangan</th></tr></thead>
                <tbody>

                """);
            foreach (var purchase in statement.Detail.Purchases)
            {
                html.Append($"<tr><td>{E(Time(purchase.OccurredAt))}</td><td>{E(purchase.MerchantName)}</td><td>{E(purchase.ReceiptReference)}</td>")
                    .Append($"<td class=\"rp\">{Rp(purchase.AmountRupiah)}</td><td class=\"rp\">{Rp(purchase.CountedRupiah)}</td>")
                    .Append($"<td>{E(PurchaseNote(purchase, evaluation))}</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");

            html.Append("""
                <table>
                <caption class="muted">Per usaha: yang memenuhi syarat dihitung sampai batas per usaha</caption>
                <thead><tr><th scope="col">Usaha</th><th scope="col" class="rp">Dibelanjakan</th><th scope="col" class="rp">Memenuhi syarat</th><th scope="col" class="rp">Dihitung</th><th scope="col" class="rp">Terpotong batas</th></tr></thead>
                <tbody>

                """);
            foreach (var merchant in statement.Detail.Merchants)
            {
                html.Append($"<tr><td>{E(merchant.MerchantName)}</td><td class=\"rp\">{Rp(merchant.SpentRupiah)}</td>")
                    .Append($"<td class=\"rp\">{Rp(merchant.EligibleRupiah)}</td><td class=\"rp\">{Rp(merchant.CountedRupiah)}</td>")
                    .Append($"<td class=\"rp\">{Rp(merchant.CappedRupiah)}</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }

        html.Append($$"""
            <h2>Hasil</h2>
            <dl class="result">
            <dt>Status</dt><dd>{{E(OutcomeName(evaluation))}}</dd>
            <dt>Kewajiban</dt><dd>{{Rp(evaluation.RequiredRupiah)}}</dd>
            <dt>Dihitung</dt><dd>{{Rp(evaluation.CountedRupiah)}}</dd>
            <dt>Kekurangan</dt><dd>{{Rp(evaluation.RemainingRupiah)}}</dd>
            <dt>Koreksi TPP</dt><dd>{{E(CorrectionNote(statement))}}</dd>
            </dl>

            <h2>Riwayat penyesuaian TPP</h2>

            """);
        if (statement.Adjustments.Count == 0)
        {
            html.Append(statement.PeriodStatus is PeriodStatus.Open or PeriodStatus.Closing
                ? "<p>Bulan ini belum ditutup; belum ada penyesuaian.</p>\n"
                : "<p>Tidak ada penyesuaian untuk bulan ini.</p>\n");
        }
        else
        {
            html.Append("""
                <table>
                <thead><tr><th scope="col">Revisi</th><th scope="col">Dibuat</th><th scope="col" class="rp">Kewajiban</th><th scope="col" class="rp">Dihitung</th><th scope="col" class="rp">Kekurangan</th><th scope="col" class="rp">Koreksi TPP</th><th scope="col" class="rp">TPP</th><th scope="col">Pengiriman ke e-TPP</th></tr></thead>
                <tbody>

                """);
            foreach (var view in statement.Adjustments)
            {
                var a = view.Adjustment;
                html.Append($"<tr><td>{a.Revision}{(view.SupersededByKey is null ? " (berlaku)" : " (diganti)")}</td><td>{E(Time(a.CreatedAt))}</td>")
                    .Append($"<td class=\"rp\">{Rp(a.RequiredRupiah)}</td><td class=\"rp\">{Rp(a.CountedRupiah)}</td><td class=\"rp\">{Rp(a.ShortfallRupiah)}</td>")
                    .Append($"<td class=\"rp\">{Rp(a.TppCorrectionRupiah)}</td><td class=\"rp\">{Rp(a.TppCeilingRupiah)}</td>")
                    .Append($"<td>{E(DeliveryName(view.Delivery))}</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }

        html.Append($$"""
            <p class="muted">Dokumen ini dibuat oleh hub e-Bakul dari buku besar belanja dan kebijakan versi {{policy.Version}}.
            Revisi yang lebih baru menggantikan revisi sebelumnya; yang berlaku adalah revisi terakhir yang tidak diganti.</p>
            </body>
            </html>

            """);
        return html.ToString();
    }

    /// <summary>The policy's rule in words, in Indonesian.</summary>
    public static string PolicyRule(QuotaPolicy policy)
    {
        var parts = new List<string>();
        parts.Add(policy.RequiredAmountForm switch
        {
            RequiredAmountForm.TppPercentage => $"Setiap bulan ASN wajib berbelanja paling sedikit {Percent(policy.TppBasisPoints)} dari pagu TPP, " +
                $"minimal {Rp(policy.TppFloorRupiah)}" + (policy.TppCapRupiah > 0 ? $" dan paling banyak {Rp(policy.TppCapRupiah)}." : "."),
            RequiredAmountForm.KelasJabatan => "Setiap bulan ASN wajib berbelanja paling sedikit sejumlah yang ditetapkan untuk kelas jabatannya.",
            RequiredAmountForm.Echelon => "Setiap bulan ASN wajib berbelanja paling sedikit sejumlah yang ditetapkan untuk eselonnya.",
            _ => "Kewajiban bulanan ditetapkan oleh kebijakan.",
        });
        parts.Add($"Yang dihitung hanya belanja pada usaha {JoinId(policy.CountedCategories.Select(CategoryName))} " +
            $"berskala {JoinId(policy.CountedScales.Select(ScaleName))} yang sudah terverifikasi dan aktif saat transaksi; belanja yang dibatalkan tidak dihitung.");
        if (policy.MerchantCapBasisPoints < QuotaPolicy.WholeBasisPoints)
            parts.Add($"Pada satu usaha paling banyak {Percent(policy.MerchantCapBasisPoints)} dari kewajiban yang dihitung.");
        if (policy.ProrationEnabled)
            parts.Add("Kewajiban dihitung sebanding dengan hari aktif dalam bulan itu.");
        if (policy.ExemptEmploymentTypes.Count > 0)
            parts.Add($"Pegawai {JoinId(policy.ExemptEmploymentTypes.Select(t => t == EmploymentType.Pns ? "PNS" : "PPPK"))} dikecualikan.");
        parts.Add(policy.SanctionKind switch
        {
            SanctionKind.DeductShortfall => "Kekurangan belanja dipotong dari TPP, paling banyak sebesar TPP bulan itu.",
            SanctionKind.DeductPercent => $"Bila kewajiban tidak terpenuhi, TPP dipotong {Percent(policy.SanctionBasisPoints)} dari pagu TPP.",
            SanctionKind.Withhold => "Bila kewajiban tidak terpenuhi, TPP bulan itu ditahan seluruhnya.",
            _ => "",
        });
        return string.Join(" ", parts.Where(p => p.Length > 0));
    }

    /// <summary>Whole rupiah as <c>Rp1.234.567</c> (a minus sign before <c>Rp</c> when negative).</summary>
    public static string Rp(long rupiah) =>
        (rupiah < 0 ? "-Rp" : "Rp") + Math.Abs((decimal)rupiah).ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.');

    private static string RequirementNote(EmployeeEvaluation evaluation, QuotaPolicy policy) => evaluation switch
    {
        { Exemption: { } exemption } => $" (dikecualikan: {ExemptionName(exemption)})",
        { Outcome: QuotaOutcome.NoTpp } => " (tidak menerima TPP bulan ini)",
        _ when policy.ProrationEnabled && evaluation.ActiveDays < evaluation.DaysInPeriod =>
            $" (sebanding {evaluation.ActiveDays}/{evaluation.DaysInPeriod} hari, dibulatkan ke atas)",
        _ => "",
    };

    private static string PurchaseNote(PurchaseCount purchase, EmployeeEvaluation evaluation) => purchase.Reason switch
    {
        null => "dihitung",
        UncountedReason.Voided => "dibatalkan, tidak dihitung",
        UncountedReason.MerchantNotActiveAtTime => "usaha belum terverifikasi atau sedang ditangguhkan saat transaksi, tidak dihitung",
        UncountedReason.CategoryExcluded => "kategori usaha tidak dihitung oleh kebijakan",
        UncountedReason.ScaleExcluded => "skala usaha tidak dihitung oleh kebijakan",
        UncountedReason.OverMerchantCap => purchase.CountedRupiah > 0
            ? $"melewati batas per usaha ({Rp(evaluation.MerchantCapRupiah ?? 0)}); {Rp(purchase.CountedRupiah)} dihitung"
            : $"batas per usaha ({Rp(evaluation.MerchantCapRupiah ?? 0)}) sudah tercapai, tidak dihitung",
        _ => purchase.Explanation,
    };

    private static string CorrectionNote(EmployeeStatement statement)
    {
        if (statement.InForce is { } inForce)
            return $"{Rp(inForce.Adjustment.TppCorrectionRupiah)} (revisi {inForce.Adjustment.Revision}, {DeliveryName(inForce.Delivery)})";
        var evaluation = statement.Detail.Evaluation;
        if (statement.PeriodStatus is PeriodStatus.Open or PeriodStatus.Closing)
            return evaluation.ProjectedCorrectionRupiah > 0
                ? $"{Rp(evaluation.ProjectedCorrectionRupiah)} bila bulan ditutup dengan belanja saat ini"
                : "tidak ada";
        return "tidak ada";
    }

    private static string OutcomeName(EmployeeEvaluation evaluation) => evaluation.Outcome switch
    {
        QuotaOutcome.Compliant => "memenuhi kewajiban",
        QuotaOutcome.NonCompliant => "belum memenuhi kewajiban",
        QuotaOutcome.Exempt => "dikecualikan",
        QuotaOutcome.NoTpp => "tidak menerima TPP",
        _ => evaluation.Outcome.ToString(),
    };

    private static string ExemptionName(AppliedExemption exemption) => exemption.Kind switch
    {
        ExemptionKind.Granted => $"pengecualian diberikan: {exemption.Reason}",
        ExemptionKind.NotActive => "tidak aktif sepanjang bulan",
        ExemptionKind.EmploymentType => "jenis kepegawaian dikecualikan",
        _ => exemption.Reason,
    };

    private static string DeliveryName(AdjustmentDelivery delivery) => delivery.State switch
    {
        DeliveryState.Pending => "menunggu dikirim",
        DeliveryState.Delivering => "sedang dikirim",
        DeliveryState.Delivered => delivery.EtppReference is { Length: > 0 } reference ? $"diterima e-TPP ({reference})" : "diterima e-TPP",
        DeliveryState.Parked => "ditahan untuk diperiksa admin",
        DeliveryState.Superseded => "diganti revisi berikutnya sebelum diterapkan: tidak diterapkan",
        _ => delivery.State.ToString(),
    };

    private static string PeriodStatusName(PeriodStatus status) => status switch
    {
        PeriodStatus.Open => "terbuka",
        PeriodStatus.Closing => "sedang ditutup",
        PeriodStatus.Closed => "ditutup",
        PeriodStatus.Correcting => "dibuka kembali untuk koreksi",
        _ => status.ToString(),
    };

    private static string CategoryName(MerchantCategory category) => category switch
    {
        MerchantCategory.FoodAndDrink => "makanan dan minuman",
        MerchantCategory.Services => "jasa",
        MerchantCategory.DailyNeeds => "kebutuhan sehari-hari",
        MerchantCategory.IkmProduct => "produk IKM",
        MerchantCategory.Craft => "kerajinan",
        MerchantCategory.ModernRetail => "ritel modern",
        MerchantCategory.Franchise => "waralaba",
        _ => category.ToString(),
    };

    private static string ScaleName(MerchantScale scale) => scale switch
    {
        MerchantScale.UltraMicro => "ultra mikro",
        MerchantScale.Micro => "mikro",
        MerchantScale.Small => "kecil",
        MerchantScale.Medium => "menengah",
        _ => scale.ToString(),
    };

    private static string MonthName(Period period) => $"{MonthNames[period.Month - 1]} {period.Year}";

    private static string Time(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Period.Jakarta);
        return $"{local.Day} {MonthNames[local.Month - 1]} {local.Year} {local:HH.mm} WIB";
    }

    private static string Percent(int basisPoints) =>
        (basisPoints / 100m).ToString("0.##", CultureInfo.InvariantCulture).Replace('.', ',') + "%";

    private static string JoinId(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "(tidak ada)",
            1 => list[0],
            _ => string.Join(", ", list.Take(list.Count - 1)) + " dan " + list[^1],
        };
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
