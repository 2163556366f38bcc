using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Quota;

/// <summary>
/// The quota policy every hub starts with for Kabupaten Bojonegoro (35.22): version 1, in force from 2025-08, the month
/// the e-Bakul regulation took effect. See <c>docs/quota-policy.md</c>.
/// <para>
/// <b>What the sources say, and where they disagree.</b> The regency's Bagian Organisasi (June 2025) described the minimum
/// as set <i>by kelas jabatan</i>, giving one example: an employee of class 14 must spend more than Rp1,000,000 a month.
/// Other reports give the rule as <i>10% of the TPP ceiling, at least Rp300,000</i>. No full class table has been
/// published. Both agree that a shortfall is corrected automatically in e-TPP, that modern retail and franchises do not
/// count, and that the point is micro businesses.
/// </para>
/// <para>
/// <b>Why this default.</b> The percentage rule is the only one stated completely, and it agrees with the one published
/// class example whenever a class-14 TPP ceiling exceeds Rp10,000,000 (10% of it is then above Rp1,000,000; the sources
/// give no TPP ceilings, so this is consistency, not proof). A class table would have to invent the sixteen other
/// amounts. So the default is:
/// <list type="bullet">
/// <item>required: 10% (1000 bps) of the TPP ceiling, rounded up to whole rupiah, at least Rp300,000, no upper bound;</item>
/// <item>counts: every category except modern retail and franchise (which never count); ultra-micro and micro scales;</item>
/// <item>anti-gaming cap: at most 50% (5000 bps) of the required amount counts at one merchant, so the quota must be spread
/// over at least two businesses;</item>
/// <item>proration on: an employee active part of the month owes the same share of it; no employment type exempted
/// (the regulation names both PNS and PPPK);</item>
/// <item>sanction: the TPP is reduced by the shortfall (the "automatic correction" the sources describe).</item>
/// </list>
/// When the regency publishes its class table, an administrator sets it with <c>SetQuotaPolicy</c> (kelas jabatan form)
/// from the next month; the policy is data, not code.
/// </para>
/// </summary>
public static class BojonegoroQuotaPolicy
{
    /// <summary>The first month of the obligation.</summary>
    public static readonly Period EffectiveFrom = new(2025, 8);

    /// <summary>The <see cref="QuotaPolicy.CreatedBy"/> of the seeded version.</summary>
    public const string SeededBy = "reference-data";

    /// <summary>The default version (version 1).</summary>
    public static QuotaPolicy Default(DateTimeOffset createdAt) => new()
    {
        RegencyCode = ReferenceData.BojonegoroCode,
        Version = 1,
        EffectivePeriodKey = EffectiveFrom.Key,
        RequiredAmountForm = RequiredAmountForm.TppPercentage,
        TppBasisPoints = 1_000,
        TppFloorRupiah = 300_000,
        TppCapRupiah = 0,
        CountedCategories = [.. QuotaPolicy.DefaultCountedCategories],
        CountedScales = [.. QuotaPolicy.DefaultCountedScales],
        MerchantCapBasisPoints = 5_000,
        ProrationEnabled = true,
        ExemptEmploymentTypes = [],
        SanctionKind = SanctionKind.DeductShortfall,
        SanctionBasisPoints = 0,
        Description =
            "e-Bakul default from 2025-08: 10% of the TPP ceiling, at least Rp300,000; modern retail and franchises never count; " +
            "ultra-micro and micro merchants; at most 50% of the quota at one merchant; prorated by active days; " +
            "a shortfall is deducted from TPP. Reports also describe a minimum by kelas jabatan (class 14: above Rp1,000,000), " +
            "which 10% agrees with when a class-14 TPP ceiling exceeds Rp10,000,000; set a kelas jabatan table once the regency publishes one.",
        CreatedAt = createdAt,
        CreatedBy = SeededBy,
    };

    /// <summary>Adds the default when Bojonegoro has no policy yet (idempotent).</summary>
    public static async Task SeedAsync(HubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await db.QuotaPolicies.AnyAsync(p => p.RegencyCode == ReferenceData.BojonegoroCode, cancellationToken)) return;
        db.QuotaPolicies.Add(Default(clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
    }
}
