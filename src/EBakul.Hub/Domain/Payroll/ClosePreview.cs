using System.Globalization;
using EBakul.Hub.Data;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// A close's figures, before it is made (a preview, <c>validate_only</c>) or as it was made: the employees of the month, those
/// with a requirement (obliged: a required amount above zero) and how many of them have anything counted, the adjustment
/// revisions the close makes and the sum of their corrections, per office; and the same share of the last closed month, which
/// decides whether the month looks incomplete (<see cref="CloseGuardOptions"/>).
/// </summary>
public sealed class ClosePreview(Period period)
{
    /// <summary>One office's figures.</summary>
    public sealed class Office
    {
        /// <summary>Employees of the month under the office.</summary>
        public int Employees { get; set; }
        /// <summary>Employees with a required amount above zero.</summary>
        public int Obliged { get; set; }
        /// <summary>Obliged employees with anything counted.</summary>
        public int ObligedWithPurchases { get; set; }
        /// <summary>Adjustment revisions the close makes.</summary>
        public int Adjustments { get; set; }
        /// <summary>The sum of those revisions' corrections, rupiah.</summary>
        public long CorrectionRupiah { get; set; }
    }

    /// <summary>The month.</summary>
    public Period Period { get; } = period;
    /// <summary>The whole regency.</summary>
    public Office Total { get; } = new();
    /// <summary>Per office code, in code order.</summary>
    public SortedDictionary<string, Office> Offices { get; } = new(StringComparer.Ordinal);
    /// <summary>Adjustment revisions the close makes.</summary>
    public int Adjustments => Total.Adjustments;
    /// <summary>Whether any ledger entry was recorded for the month.</summary>
    public bool HasPurchases { get; private set; } = true;
    /// <summary>The last closed month before this one, if any.</summary>
    public Period? PreviousPeriod { get; private set; }
    /// <summary>Its obliged employees (at its latest close).</summary>
    public int PreviousObliged { get; private set; }
    /// <summary>Its obliged employees with anything counted.</summary>
    public int PreviousObligedWithPurchases { get; private set; }

    /// <summary>Counts one employee's result.</summary>
    public void AddEmployee(string officeCode, long requiredRupiah, long countedRupiah)
    {
        foreach (var figures in new[] { Total, OfficeOf(officeCode) })
        {
            figures.Employees++;
            if (requiredRupiah <= 0) continue;
            figures.Obliged++;
            if (countedRupiah > 0) figures.ObligedWithPurchases++;
        }
    }

    /// <summary>Counts one adjustment revision the close makes.</summary>
    public void AddAdjustment(string officeCode, long correctionRupiah)
    {
        foreach (var figures in new[] { Total, OfficeOf(officeCode) })
        {
            figures.Adjustments++;
            figures.CorrectionRupiah += correctionRupiah;
        }
    }

    /// <summary>Reads what the check compares with: whether the month has ledger entries, and the last closed month's share.</summary>
    public void Compare(WriteTransaction tx, string regencyCode, Period period)
    {
        HasPurchases = tx.Db.LedgerEntries.Any(e => e.RegencyCode == regencyCode && e.PeriodKey == period.Key);
        var previous = tx.Db.PeriodStates
            .Where(p => p.RegencyCode == regencyCode && p.PeriodKey < period.Key && p.Status == PeriodStatus.Closed)
            .OrderByDescending(p => p.PeriodKey).Select(p => new { p.PeriodKey, p.Revision }).FirstOrDefault();
        if (previous is null) return;
        PreviousPeriod = Period.FromKey(previous.PeriodKey);
        var results = tx.Db.PeriodResults.Where(r => r.RegencyCode == regencyCode && r.PeriodKey == previous.PeriodKey
            && r.Revision == previous.Revision && r.RequiredRupiah > 0);
        PreviousObliged = results.Count();
        PreviousObligedWithPurchases = results.Count(r => r.CountedRupiah > 0);
    }

    /// <summary>Why the month looks incomplete, or null when it does not.</summary>
    public string? LooksIncomplete(CloseGuardOptions guard)
    {
        if (Total.Obliged == 0) return null;
        if (!HasPurchases) return $"no purchase at all was recorded for the month, and {Total.Obliged} employees have a requirement";
        if (PreviousPeriod is not { } previous || PreviousObliged == 0 || PreviousObligedWithPurchases == 0) return null;
        // share < previous share × percentage / 100, in whole numbers.
        if ((long)Total.ObligedWithPurchases * PreviousObliged * 100 >= (long)PreviousObligedWithPurchases * Total.Obliged * guard.MinimumShareOfPreviousPercent)
            return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Total.ObligedWithPurchases} of {Total.Obliged} employees with a requirement have anything counted ({Percent(Total.ObligedWithPurchases, Total.Obliged)}), " +
            $"against {PreviousObligedWithPurchases} of {PreviousObliged} ({Percent(PreviousObligedWithPurchases, PreviousObliged)}) in {previous}, " +
            $"the last closed month: below {guard.MinimumShareOfPreviousPercent}% of that share");
    }

    /// <summary>The figures as <c>ErrorInfo.metadata</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["period"] = Period.ToString(),
            ["employees"] = Text(Total.Employees),
            ["obliged"] = Text(Total.Obliged),
            ["obligedWithPurchases"] = Text(Total.ObligedWithPurchases),
            ["purchasesRecorded"] = HasPurchases ? "true" : "false",
            ["adjustments"] = Text(Total.Adjustments),
            ["correctionRupiah"] = Total.CorrectionRupiah.ToString(CultureInfo.InvariantCulture),
        };
        if (PreviousPeriod is { } previous)
        {
            metadata["previousPeriod"] = previous.ToString();
            metadata["previousObliged"] = Text(PreviousObliged);
            metadata["previousObligedWithPurchases"] = Text(PreviousObligedWithPurchases);
        }
        return metadata;
    }

    private Office OfficeOf(string officeCode)
    {
        if (!Offices.TryGetValue(officeCode, out var office)) Offices[officeCode] = office = new Office();
        return office;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(int part, int whole) =>
        whole == 0 ? "0%" : (part * 100.0 / whole).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
