using System.Globalization;
using EBakul.Hub.Domain.Integrity;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Roster;
using static EBakul.Hub.DemoData.BojonegoroVocabulary;

namespace EBakul.Hub.DemoData;

/// <summary>
/// A case planted by <see cref="DemoDataOptions.PlantIntegrityCases"/>: arranged purchases of one signal's kind, or an honest
/// look-alike of that kind (<see cref="Arranged"/> false), at the merchant <see cref="MerchantIndex"/>; <see cref="Nips"/>
/// are the planted employees it involves (empty when its buyers are ordinary employees).
/// </summary>
public sealed record DemoPlantedCase(SignalKind Kind, bool Arranged, string Description, int MerchantIndex, IReadOnlyList<string> Nips);

public sealed partial class DemoDataGenerator
{
    private const int PlantStream = 4, PlantedMerchantStream = 5;

    /// <summary>Whether arranged cases and their look-alikes are planted among the ordinary rows.</summary>
    public bool PlantsIntegrityCases { get; }

    /// <summary>Every merchant <see cref="Merchants"/> yields: the ordinary ones, then the planted cases'.</summary>
    public int AllMerchantCount => MerchantCount + _plantedPlan.Merchants.Count;

    /// <summary>Every employee <see cref="Employees"/> yields: the ordinary ones, then the planted cases'.</summary>
    public int AllEmployeeCount => EmployeeCount + _plantedPlan.Employees.Count;

    private readonly PlantedPlan _plantedPlan;

    private sealed record PlantedMerchantSpec(int Kecamatan, MerchantCategory Category, MerchantScale Scale, DateTimeOffset RegisteredAt, DateTimeOffset VerifiedAt);

    private sealed record PlannedCase(int Index, SignalKind Kind, bool Arranged, string Description, int MerchantSlot, int[] EmployeeSlots, DemoOffice? Office,
        int SecondMerchantSlot = -1);

    private sealed class PlantedPlan
    {
        public static readonly PlantedPlan Empty = new();
        public List<PlantedMerchantSpec> Merchants { get; } = [];
        public List<DemoOffice> Employees { get; } = [];
        public List<PlannedCase> Cases { get; } = [];
    }

    /// <summary>The planted cases, arranged and honest; empty unless <see cref="PlantsIntegrityCases"/>.</summary>
    public IReadOnlyList<DemoPlantedCase> PlantedCases()
    {
        if (_plantedPlan.Cases.Count == 0) return [];
        var nips = Employees().Skip(EmployeeCount).Select(e => e.Nip).ToArray();
        return [.. _plantedPlan.Cases.Select(c => new DemoPlantedCase(c.Kind, c.Arranged, c.Description, MerchantCount + c.MerchantSlot,
            [.. c.EmployeeSlots.Select(s => nips[s])]))];
    }

    private PlantedPlan PlanIntegrityCases(int perKind)
    {
        var plan = new PlantedPlan();
        var r = DemoRandom.For(_regencySeed, PlantStream, -1);
        var bigOffices = BojonegoroVocabulary.Offices(Regency.Code, _kecamatan).OrderByDescending(o => o.Weight).Select(o => o.Office).Take(5).ToList();
        var start = Period.Start;

        int Merchant(int kecamatan, MerchantCategory category, MerchantScale scale, ref DemoRandom r, DateTimeOffset? verified = null)
        {
            var verifiedAt = verified ?? DuringOfficeHours(start.AddDays(-r.Next(30, 200)), ref r);
            plan.Merchants.Add(new PlantedMerchantSpec(kecamatan, category, scale, DuringOfficeHours(verifiedAt.AddDays(-r.Next(2, 10)), ref r), verifiedAt));
            return plan.Merchants.Count - 1;
        }
        int[] Staff(int count, DemoOffice? office, ref DemoRandom r)
        {
            var slots = new int[count];
            for (var i = 0; i < count; i++)
            {
                plan.Employees.Add(office ?? _officeChoice.Next(ref r));
                slots[i] = plan.Employees.Count - 1;
            }
            return slots;
        }
        MerchantCategory Shop(ref DemoRandom r) => r.Chance(0.6) ? MerchantCategory.FoodAndDrink : MerchantCategory.DailyNeeds;
        void Add(SignalKind kind, bool arranged, string description, int merchant, int[] staff, DemoOffice? office, int second = -1) =>
            plan.Cases.Add(new PlannedCase(plan.Cases.Count, kind, arranged, description, merchant, staff, office, second));

        for (var c = 0; c < perKind; c++)
        {
            var office = _officeChoice.Next(ref r);
            Add(SignalKind.OfficeCaptiveMerchant, true, "receipts for one office's staff",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(r.Next(6, 13), office, ref r), office);
            Add(SignalKind.QuotaAtMonthEnd, true, "the quota in one month-end purchase, month after month",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(1, null, ref r), null);
            Add(SignalKind.ReceiptSequence, true, "a pad of consecutive notas handed out within minutes",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(r.Next(5, 9), null, ref r), null);
            Add(SignalKind.SharedEvidence, true, "one photo as the evidence of several purchases",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(r.Next(2, 4), null, ref r), null);
            Add(SignalKind.ScaleExceeded, true, "an ultra-micro merchant with takings beyond its scale",
                Merchant(_kecamatanChoice.Next(ref r), MerchantCategory.FoodAndDrink, MerchantScale.UltraMicro, ref r), [], null);
            var verified = DuringOfficeHours(start.AddDays(r.Next(0, 12)), ref r);
            Add(SignalKind.NewMerchantFewBuyers, true, "a new merchant issuing receipts to two or three buyers at once",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r, verified), Staff(r.Next(2, 4), null, ref r), null);
            var groupOffice = _officeChoice.Next(ref r);
            Add(SignalKind.SameAmountGroup, true, "colleagues buying the same amount at one merchant on one day",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(r.Next(5, 8), groupOffice, ref r), groupOffice);
        }

        var lookAlikes = Math.Max(1, perKind / 3);
        for (var c = 0; c < lookAlikes; c++)
        {
            var big = bigOffices[c % bigOffices.Count];
            var near = _kecamatanIndex[big.KecamatanCode];
            Add(SignalKind.OfficeCaptiveMerchant, false, "an office canteen: small lunches, the same staff every day",
                Merchant(near, MerchantCategory.FoodAndDrink, MerchantScale.UltraMicro, ref r), [], big);
            Add(SignalKind.OfficeCaptiveMerchant, false, "a popular warung near a big office",
                Merchant(near, MerchantCategory.FoodAndDrink, MerchantScale.Micro, ref r), [], big);
            Add(SignalKind.ReceiptSequence, false, "a payday rush at a shop that also serves other customers",
                Merchant(_kecamatanChoice.Next(ref r), MerchantCategory.DailyNeeds, MerchantScale.Small, ref r), [], null);
            Add(SignalKind.QuotaAtMonthEnd, false, "the quota at month end, but at another merchant each month",
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r), Staff(1, null, ref r), null,
                Merchant(_kecamatanChoice.Next(ref r), Shop(ref r), MerchantScale.Micro, ref r));
            var verified = DuringOfficeHours(start.AddDays(r.Next(0, 12)), ref r);
            Add(SignalKind.NewMerchantFewBuyers, false, "a new merchant many employees buy from",
                Merchant(_kecamatanChoice.Next(ref r), MerchantCategory.FoodAndDrink, MerchantScale.Micro, ref r, verified), [], null);
            Add(SignalKind.ScaleExceeded, false, "a busy small restaurant well within its scale",
                Merchant(_kecamatanChoice.Next(ref r), MerchantCategory.FoodAndDrink, MerchantScale.Small, ref r), [], null);
        }
        return plan;
    }

    private DemoMerchant PlantedMerchant(int slot, HashSet<long> niks)
    {
        var spec = _plantedPlan.Merchants[slot];
        var r = DemoRandom.For(_regencySeed, PlantedMerchantStream, slot);
        var skeleton = new MerchantSkeleton(spec.Kecamatan, spec.Category, spec.Scale, MerchantStatus.Active, false, HasNib: r.Chance(0.8), HasQris: false);
        return BuildMerchant(MerchantCount + slot, skeleton, ref r, niks,
        [
            new DemoMerchantStatus(MerchantStatus.PendingVerification, RegistrationReason, spec.RegisteredAt),
            new DemoMerchantStatus(MerchantStatus.Active, r.Pick(VerificationReasons), spec.VerifiedAt),
        ]);
    }

    private DemoEmployee PlantedEmployee(int slot, Dictionary<long, int> serials)
    {
        var employee = Employee(EmployeeCount + slot, serials);
        // Active for the year before the month, in the office the case needs.
        return employee with { Office = _plantedPlan.Employees[slot], History = [new DemoEmployeeStatus(EmployeeStatus.Active, Period.FirstDay.AddMonths(-12))] };
    }

    /// <summary>The planted cases' purchases; <paramref name="byOffice"/> are the ordinary employees' NIPs by office.</summary>
    private IEnumerable<DemoPurchase> PlantedPurchases(List<DemoEmployee> planted, Dictionary<string, List<string>> byOffice)
    {
        if (_plantedPlan.Cases.Count == 0) yield break;
        var everyone = byOffice.SelectMany(o => o.Value.Select(nip => (Nip: nip, Office: o.Key))).OrderBy(x => x.Nip, StringComparer.Ordinal).ToList();
        if (everyone.Count == 0) yield break;
        foreach (var c in _plantedPlan.Cases)
        {
            var r = DemoRandom.For(_regencySeed, PlantStream, c.Index);
            var staff = c.EmployeeSlots.Select(s => planted[s]).ToList();
            var rows = CasePurchases(c, staff, everyone, byOffice, ref r);
            // Receipt numbers in time order per merchant; a shop that serves other customers too skips numbers.
            var skips = c is { Kind: SignalKind.ReceiptSequence, Arranged: false } || c is { Kind: SignalKind.OfficeCaptiveMerchant, Arranged: false };
            foreach (var merchant in rows.GroupBy(p => p.Merchant))
            {
                var number = r.Next(1, 40);
                foreach (var p in merchant.OrderBy(p => p.At))
                {
                    number += skips ? 1 + r.Next(0, 4) : 1;
                    if (p.At > Now) continue;
                    var local = TimeZoneInfo.ConvertTime(p.At, Domain.Period.Jakarta);
                    yield return new DemoPurchase(p.Nip, p.Office, MerchantCount + merchant.Key, p.Amount, p.At, ReceiptKind.Nota,
                        string.Create(CultureInfo.InvariantCulture, $"NT-{local:yyMMdd}-{number:D4}"), p.Evidence ?? (r.Chance(0.7) ? RandomSha256(ref r) : null));
                }
            }
        }
    }

    private readonly record struct PlantedRow(int Merchant, string Nip, string Office, long Amount, DateTimeOffset At, string? Evidence = null);

    private List<PlantedRow> CasePurchases(PlannedCase c, List<DemoEmployee> staff, List<(string Nip, string Office)> everyone,
        Dictionary<string, List<string>> byOffice, ref DemoRandom r)
    {
        var rows = new List<PlantedRow>();
        var m = c.MerchantSlot;
        var last = Period.LastDay;
        long Round(long amount) => (amount + AmountStepRupiah - 1) / AmountStepRupiah * AmountStepRupiah;
        long Between(long min, long max, ref DemoRandom r) => Round(min + r.NextInt64(max - min + 1));
        DateTimeOffset At(DateOnly day, int fromHour, int toHour, ref DemoRandom r) =>
            Domain.Period.StartOfDay(day).AddSeconds(fromHour * 3600 + r.Next((toHour - fromHour) * 3600));
        DateOnly AnyDay(ref DemoRandom r) => Period.FirstDay.AddDays(r.Next(Period.DayCount));
        List<string> StaffOf(DemoOffice office) => byOffice.GetValueOrDefault(office.Code) ?? [.. everyone.Take(50).Select(e => e.Nip)];

        switch (c.Kind, c.Arranged)
        {
            case (SignalKind.OfficeCaptiveMerchant, true):
                // Each of the office's staff once, about a month's quota, on a working day.
                foreach (var e in staff)
                    rows.Add(new(m, e.Nip, e.Office.Code, SpendingTargetOf(e.TppCeilingRupiah) + r.Next(0, 40) * AmountStepRupiah,
                        At(Period.FirstDay.AddDays(r.Next(Period.DayCount - 4)), 8, 15, ref r)));
                break;
            case (SignalKind.QuotaAtMonthEnd, true):
            {
                var e = staff[0];
                var skipped = r.Next(0, 4); // one earlier month may lack the pattern (3 means none does)
                var month = Period;
                for (var i = 0; i < 4; i++, month = month.Previous)
                {
                    if (i > 0 && i == skipped) continue;
                    var day = month.LastDay.AddDays(-r.Next(0, 3));
                    rows.Add(new(m, e.Nip, e.Office.Code, SpendingTargetOf(e.TppCeilingRupiah) + r.Next(0, 3) * AmountStepRupiah, At(day, 9, 20, ref r)));
                }
                break;
            }
            case (SignalKind.QuotaAtMonthEnd, false):
            {
                // The same habit, but this month at one merchant and before at another: shopping, not a standing arrangement.
                var e = staff[0];
                var month = Period;
                for (var i = 0; i < 4; i++, month = month.Previous)
                {
                    var day = month.LastDay.AddDays(-r.Next(0, 3));
                    rows.Add(new(i == 0 ? m : c.SecondMerchantSlot, e.Nip, e.Office.Code, SpendingTargetOf(e.TppCeilingRupiah), At(day, 9, 20, ref r)));
                }
                break;
            }
            case (SignalKind.ReceiptSequence, true):
            {
                var at = At(AnyDay(ref r), 9, 15, ref r);
                foreach (var e in staff)
                {
                    rows.Add(new(m, e.Nip, e.Office.Code, Between(150_000, 450_000, ref r), at));
                    at = at.AddSeconds(r.Next(40, 200));
                }
                break;
            }
            case (SignalKind.SharedEvidence, true):
            {
                var photo = RandomSha256(ref r);
                foreach (var e in staff)
                    rows.Add(new(m, e.Nip, e.Office.Code, Between(100_000, 400_000, ref r), At(AnyDay(ref r), 8, 20, ref r), photo));
                break;
            }
            case (SignalKind.ScaleExceeded, true):
            {
                // An ultra-micro warung's takings beyond a month of its scale, from ordinary buyers across the regency.
                long sum = 0;
                while (sum < 30_000_000)
                {
                    var (nip, office) = r.Pick(everyone);
                    var amount = Between(350_000, 500_000, ref r);
                    rows.Add(new(m, nip, office, amount, At(AnyDay(ref r), 7, 21, ref r)));
                    sum += amount;
                }
                break;
            }
            case (SignalKind.ScaleExceeded, false):
            {
                long sum = 0;
                while (sum < 40_000_000)
                {
                    var (nip, office) = r.Pick(everyone);
                    var amount = Between(150_000, 500_000, ref r);
                    rows.Add(new(m, nip, office, amount, At(AnyDay(ref r), 10, 21, ref r)));
                    sum += amount;
                }
                break;
            }
            case (SignalKind.NewMerchantFewBuyers, true):
            {
                var spec = _plantedPlan.Merchants[m];
                var at = spec.VerifiedAt.AddHours(r.Next(20, 200));
                long sum = 0;
                for (var i = 0; sum < 6_000_000; i++)
                {
                    var e = staff[i % staff.Count];
                    var amount = Between(400_000, 500_000, ref r);
                    rows.Add(new(m, e.Nip, e.Office.Code, amount, at));
                    at = at.AddMinutes(r.Next(30, 150));
                    sum += amount;
                }
                break;
            }
            case (SignalKind.NewMerchantFewBuyers, false):
            {
                var spec = _plantedPlan.Merchants[m];
                var first = Domain.Period.DateOf(spec.VerifiedAt).AddDays(1);
                var days = Math.Max(1, last.DayNumber - first.DayNumber + 1);
                for (var i = r.Next(25, 45); i > 0; i--)
                {
                    var (nip, office) = r.Pick(everyone);
                    rows.Add(new(m, nip, office, Between(15_000, 120_000, ref r), At(first.AddDays(r.Next(days)), 7, 21, ref r)));
                }
                break;
            }
            case (SignalKind.SameAmountGroup, true):
            {
                var day = AnyDay(ref r);
                var amount = r.Next(20, 80) * 5_000L;
                var at = At(day, 8, 10, ref r);
                foreach (var e in staff)
                {
                    rows.Add(new(m, e.Nip, e.Office.Code, amount, at));
                    at = at.AddMinutes(r.Next(25, 80));
                }
                break;
            }
            case (SignalKind.OfficeCaptiveMerchant, false) when c.Description.Contains("canteen", StringComparison.Ordinal):
            {
                // A canteen beside a big office: its staff, small set-price lunches, again and again; colleagues queue together.
                var office = c.Office!;
                var regulars = StaffOf(office);
                var menu = new long[] { 12_000, 15_000, 15_000, 18_000, 20_000, 25_000 };
                var diners = new HashSet<string>(StringComparer.Ordinal);
                for (var i = r.Next(30, 50); i > 0; i--) diners.Add(r.Pick(regulars));
                var ordered = diners.Order(StringComparer.Ordinal).ToList();
                for (var day = Period.FirstDay; day <= last; day = day.AddDays(1))
                {
                    if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                    var at = At(day, 11, 12, ref r);
                    foreach (var nip in ordered)
                    {
                        if (!r.Chance(0.35)) continue;
                        rows.Add(new(m, nip, office.Code, r.Pick(menu), at));
                        at = at.AddSeconds(r.Next(30, 400));
                    }
                }
                break;
            }
            case (SignalKind.OfficeCaptiveMerchant, false):
            {
                // A popular warung near a big office: most buyers from the office, varied amounts, many coming back.
                var office = c.Office!;
                var regulars = StaffOf(office);
                for (var i = r.Next(150, 250); i > 0; i--)
                {
                    var (nip, from) = r.Chance(0.6) ? (r.Pick(regulars), office.Code) : r.Pick(everyone);
                    rows.Add(new(m, nip, from, Between(15_000, 150_000, ref r), At(AnyDay(ref r), 7, 21, ref r)));
                }
                break;
            }
            case (SignalKind.ReceiptSequence, false):
            {
                // Payday: TPP arrives, a crowd at a grocery in the first days, large baskets within minutes of each other.
                var at = At(Period.FirstDay.AddDays(r.Next(0, 3)), 15, 17, ref r);
                for (var i = r.Next(30, 50); i > 0; i--)
                {
                    var (nip, office) = r.Pick(everyone);
                    rows.Add(new(m, nip, office, Between(100_000, 500_000, ref r), at));
                    at = at.AddSeconds(r.Next(20, 240));
                }
                break;
            }
        }
        return rows;
    }
}
