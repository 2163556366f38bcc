namespace EBakul.Hub.Domain.Integrity;

/// <summary>
/// The bounds of the integrity signals (configuration section <c>Integrity</c>). Every rule and why its default is what it
/// is: docs/integrity.md. The defaults are conservative: an inspector must justify every visit.
/// </summary>
public sealed class IntegrityOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Integrity";

    /// <summary>
    /// A purchase this large or larger is "large": above an everyday meal or shopping basket. The receipt sequence and the
    /// same-amount group only count large purchases. Default Rp100,000.
    /// </summary>
    public long LargePurchaseRupiah { get; set; } = 100_000;

    /// <summary>Office captive merchant: the least share of the merchant's month from one office, basis points. Default 8000.</summary>
    public int CaptiveOfficeShareBasisPoints { get; set; } = 8000;

    /// <summary>
    /// Office captive merchant: the office's takings at least this many times the median of what each peer takes from its main
    /// office (the office it takes most from). Default 1.5.
    /// </summary>
    public double CaptiveTakingsTimesPeerMedian { get; set; } = 1.5;

    /// <summary>Office captive merchant: the office's average purchase at least this many times the median of its peers' average purchases. Default 2.</summary>
    public double CaptiveAverageTimesPeerAverage { get; set; } = 2;

    /// <summary>Office captive merchant: the fewest buyers from the office. Default 5.</summary>
    public int CaptiveMinimumBuyers { get; set; } = 5;

    /// <summary>Office captive merchant: the least share of the office's buyers who bought there once only, basis points. Default 7000.</summary>
    public int CaptiveOneVisitShareBasisPoints { get; set; } = 7000;

    /// <summary>The fewest buyers a merchant-and-office signal needs (captive merchant, same-amount group, receipt sequence). Default 4.</summary>
    public int MinimumBuyers { get; set; } = 4;

    /// <summary>Quota at month end: the month's last days that count. Default 3.</summary>
    public int MonthEndDays { get; set; } = 3;

    /// <summary>Quota at month end: how far above the required amount still counts as "about exactly", basis points. Default 200 (2%).</summary>
    public int QuotaToleranceBasisPoints { get; set; } = 200;

    /// <summary>Quota at month end: months looked back besides the month itself. Default 3.</summary>
    public int QuotaLookBackMonths { get; set; } = 3;

    /// <summary>Quota at month end: of the months looked back, in how many the same pattern at the same merchant must show. Default 2.</summary>
    public int QuotaRepeatMonths { get; set; } = 2;

    /// <summary>Receipt sequence: the longest gap between two purchases of one run. Default 10 minutes.</summary>
    public TimeSpan SequenceGap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Receipt sequence: the fewest consecutive receipts to different buyers. Default 5.</summary>
    public int SequenceMinimumReceipts { get; set; } = 5;

    /// <summary>
    /// Scale exceeded: a year of sales of an ultra-micro business, in rupiah, as the regency's registry defines it (PP 7/2021
    /// does not). Default Rp300 million. Micro (Rp2 billion), small (Rp15 billion) and medium (Rp50 billion) follow PP 7/2021.
    /// </summary>
    public long UltraMicroAnnualSalesRupiah { get; set; } = 300_000_000;

    /// <summary>New merchant: first verified at most this many days before the month's end. Default 60.</summary>
    public int NewMerchantDays { get; set; } = 60;

    /// <summary>New merchant: the least month of takings. Default Rp5 million.</summary>
    public long NewMerchantTakingsRupiah { get; set; } = 5_000_000;

    /// <summary>New merchant: at most this many buyers bring the takings. Default 3.</summary>
    public int NewMerchantMaximumBuyers { get; set; } = 3;

    /// <summary>New merchant: the buyers' purchases all within this span. Default 2 days.</summary>
    public TimeSpan NewMerchantSpan { get; set; } = TimeSpan.FromDays(2);
}
