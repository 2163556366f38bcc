using EBakul.Hub.Tests.Quota;
using EBakul.Payroll.V1;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.EtppPush;

/// <summary>A correction of a closed month is pushed as revisions e-TPP accepts.</summary>
[Collection(PushTestCollection.Name)]
public sealed class PushRevisionTests
{
    [Fact]
    public async Task A_correction_pushes_revision_2_of_a_changed_adjustment_and_revision_1_of_an_employee_short_for_the_first_time()
    {
        await using var rig = await PushRig.StartAsync();
        var arrange = new QuotaArrange(rig.Hub);
        var a = await arrange.MerchantAsync();
        var b = await arrange.MerchantAsync();
        // Rp300,000 required each (10% of Rp3,000,000, at least Rp300,000), at most half of it at one merchant.
        var shortOne = await arrange.EmployeeAsync();
        var compliant = await arrange.EmployeeAsync();
        await arrange.PurchaseAsync(compliant, a, 150_000, Wib(2025, 9, 10));
        var voided = await arrange.PurchaseAsync(compliant, b, 150_000, Wib(2025, 9, 11));
        await rig.CloseAsync(1);
        var first = await rig.SettledAsync();
        await rig.AssertOutcomeAsync(first, [shortOne]);
        var r1 = Assert.Single(first);
        Assert.Equal((1, ""), (r1.Revision, r1.SupersedesKey));

        // The Inspektorat finds one nota of the compliant employee forged, and a late nota of the short one.
        await rig.Payroll.OpenCorrectionAsync(new OpenCorrectionRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegencyCode = PushRig.Regency, Period = PushRig.Month, Reason = "audit of September notas",
        });
        await arrange.VoidAsync(voided.PurchaseId, "nota palsu");
        await arrange.PurchaseAsync(shortOne, a, 100_000, Wib(2025, 9, 20));
        await rig.CloseAsync(2);
        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, [shortOne, shortOne, compliant]);
        var r2 = settled.Single(x => x.Nip == shortOne && x.SupersedesKey != "");
        Assert.Equal((2, r1.IdempotencyKey, 200_000L), (r2.Revision, r2.SupersedesKey, r2.TppCorrectionRupiah));
        Assert.Equal(r2.IdempotencyKey, seen[r1.IdempotencyKey].SupersededBy);
        var firstTime = settled.Single(x => x.Nip == compliant);
        Assert.Equal((1, "", 150_000L), (firstTime.Revision, firstTime.SupersedesKey, firstTime.TppCorrectionRupiah));
    }

    [Fact]
    public async Task A_deduction_capped_at_the_TPP_is_applied_by_e_TPP()
    {
        await using var rig = await PushRig.StartAsync();
        var arrange = new QuotaArrange(rig.Hub);
        // The Rp300,000 floor is above a TPP of Rp250,000: the whole TPP is deducted, not more.
        var nip = await arrange.EmployeeAsync(tppCeiling: 250_000);
        await rig.CloseAsync(1);

        var settled = await rig.SettledAsync();

        var seen = await rig.AssertOutcomeAsync(settled, [nip]);
        var applied = seen[Assert.Single(settled).IdempotencyKey].Adjustment!;
        Assert.Equal((300_000L, 250_000L, 250_000L), (applied.ShortfallRupiah, applied.TppCorrectionRupiah, applied.TppCeilingRupiah));
    }
}
