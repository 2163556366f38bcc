using System.Globalization;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests.DemoData;

public sealed class DemoDataGeneratorTests
{
    private static readonly DemoDataOptions Small = new() { Merchants = 4000, Employees = 800, PurchasesPerEmployee = 6, Seed = 35 };

    private static DemoDataGenerator Generator(DemoDataOptions? options = null) => new(options ?? Small, HubFactory.DefaultNow);

    private static string Describe(DemoMerchant m) =>
        $"{m.Index}|{m.Name}|{m.OwnerName}|{m.OwnerNik}|{m.Nib}|{m.Category}|{m.Scale}|{m.KecamatanCode}|{m.Address}|" +
        $"{m.Latitude.ToString(CultureInfo.InvariantCulture)}|{m.Longitude.ToString(CultureInfo.InvariantCulture)}|{m.QrisNmid}|" +
        string.Join(";", m.History.Select(h => $"{h.Status}:{h.Reason}:{h.EffectiveAt.ToUnixTimeMilliseconds()}"));

    private static string Describe(DemoEmployee e) =>
        $"{e.Nip}|{e.Name}|{e.Office}|{e.KelasJabatan}|{e.EmploymentType}|{e.Echelon}|{e.TppCeilingRupiah}|" +
        string.Join(";", e.History.Select(h => $"{h.Status}:{h.EffectiveDate:O}"));

    [Fact]
    public void Same_seed_gives_the_same_rows_and_another_seed_does_not()
    {
        var a = Generator();
        var b = Generator();
        Assert.Equal(a.Merchants().Select(Describe), b.Merchants().Select(Describe));
        Assert.Equal(a.Employees().Select(Describe), b.Employees().Select(Describe));
        Assert.Equal(a.Purchases(), b.Purchases());

        var other = Generator(new DemoDataOptions { Merchants = 4000, Employees = 800, PurchasesPerEmployee = 6, Seed = 36 });
        Assert.NotEqual(a.Merchants().Take(50).Select(Describe), other.Merchants().Take(50).Select(Describe));
        Assert.NotEqual(a.Employees().Take(50).Select(e => e.Nip), other.Employees().Take(50).Select(e => e.Nip));
    }

    [Fact]
    public void Several_regencies_have_their_own_codes_and_never_share_a_NIP_NIK_or_QRIS_id_and_the_first_is_Bojonegoro_as_alone()
    {
        var options = new DemoDataOptions { Regencies = 3, Merchants = 4000, Employees = 800, PurchasesPerEmployee = 6, Seed = 35, PlantIntegrityCases = true };
        var generators = DemoRegencies.Of(options).Select(r => new DemoDataGenerator(options, HubFactory.DefaultNow, r)).ToList();
        Assert.Equal(["35.22", "35.01", "35.02"], generators.Select(g => g.Regency.Code));
        var alone = new DemoDataGenerator(new DemoDataOptions { Merchants = 4000, Employees = 800, PurchasesPerEmployee = 6, Seed = 35, PlantIntegrityCases = true }, HubFactory.DefaultNow);
        Assert.Equal(alone.Merchants().Select(Describe), generators[0].Merchants().Select(Describe));
        Assert.Equal(alone.Employees().Select(Describe), generators[0].Employees().Select(Describe));

        foreach (var g in generators)
        {
            Assert.All(g.Merchants(), m => Assert.StartsWith(g.Regency.Code + ".", m.KecamatanCode, StringComparison.Ordinal));
            Assert.All(g.Employees(), e => Assert.StartsWith(g.Regency.Code + ".", e.Office.KecamatanCode, StringComparison.Ordinal));
            Assert.All(g.Merchants(), m => Assert.StartsWith(g.Regency.Code.Replace(".", ""), m.OwnerNik, StringComparison.Ordinal));
        }
        var nips = generators.SelectMany(g => g.Employees().Select(e => e.Nip)).ToList();
        Assert.Equal(nips.Count, nips.Distinct().Count());
        var niks = generators.SelectMany(g => g.Merchants().Select(m => m.OwnerNik)).ToList();
        Assert.Equal(niks.Count, niks.Distinct().Count());
        var qris = generators.SelectMany(g => g.Merchants().Select(m => m.QrisNmid)).OfType<string>().ToList();
        Assert.Equal(qris.Count, qris.Distinct().Count());
        Assert.NotEqual(generators[0].Merchants().Take(20).Select(m => m.Name), generators[1].Merchants().Take(20).Select(m => m.Name));
    }

    [Fact]
    public void One_merchant_does_not_depend_on_how_many_are_generated()
    {
        var few = new DemoDataGenerator(new DemoDataOptions { Merchants = 100, Employees = 0 }, HubFactory.DefaultNow).Merchants();
        var many = Generator().Merchants().Take(100);
        Assert.Equal(few.Select(m => m.Name + m.Nib + m.QrisNmid), many.Select(m => m.Name + m.Nib + m.QrisNmid));
    }

    [Fact]
    public void Merchants_are_valid_unique_and_spread_over_all_28_kecamatan()
    {
        var generator = Generator();
        var merchants = generator.Merchants().ToList();
        Assert.Equal(4000, merchants.Count);
        Assert.Equal(Enumerable.Range(0, 4000), merchants.Select(m => m.Index));

        var kecamatan = ReferenceData.ReadKecamatanCsv().Select(k => k.Code).ToHashSet();
        Assert.Equal(28, kecamatan.Count);
        Assert.Equal(kecamatan, merchants.Select(m => m.KecamatanCode).ToHashSet());
        var byKecamatan = merchants.GroupBy(m => m.KecamatanCode).OrderByDescending(g => g.Count()).ToList();
        Assert.Equal("35.22.15", byKecamatan[0].Key); // the town has the most

        foreach (var m in merchants)
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Name));
            Assert.False(string.IsNullOrWhiteSpace(m.OwnerName));
            Assert.Contains(m.KecamatanCode, kecamatan);
            Assert.Contains("Bojonegoro", m.Address);
            Assert.InRange(m.Latitude, -7.45, -7.00);
            Assert.InRange(m.Longitude, 111.45, 112.10);
            AssertNik(m.OwnerNik);
            if (m.Nib is not null) Assert.Matches("^[0-9]{13}$", m.Nib);
            if (m.QrisNmid is not null) Assert.Matches("^ID[0-9]{13}$", m.QrisNmid);
            Assert.DoesNotContain(m.Category, new[] { MerchantCategory.ModernRetail, MerchantCategory.Franchise });
            AssertMerchantHistory(m, generator);
        }

        AssertUnique(merchants.Where(m => m.Nib is not null).Select(m => m.Nib!));
        AssertUnique(merchants.Where(m => m.QrisNmid is not null).Select(m => m.QrisNmid!));
        AssertUnique(merchants.Select(m => m.OwnerNik));

        Assert.InRange(Share(merchants, m => m.Nib is not null), 0.70, 0.80);
        Assert.InRange(Share(merchants, m => m.QrisNmid is not null), 0.15, 0.45);
        Assert.InRange(Share(merchants, m => m.Current.Status == MerchantStatus.Active), 0.86, 0.94);
        Assert.InRange(Share(merchants, m => m.Current.Status == MerchantStatus.PendingVerification), 0.03, 0.11);
        Assert.InRange(Share(merchants, m => m.Current.Status == MerchantStatus.Suspended), 0.01, 0.06);
        Assert.InRange(Share(merchants, m => m.Scale is MerchantScale.UltraMicro or MerchantScale.Micro), 0.85, 0.97);

        var categories = merchants.GroupBy(m => m.Category).OrderByDescending(g => g.Count()).Select(g => g.Key).ToList();
        Assert.Equal(
            [MerchantCategory.FoodAndDrink, MerchantCategory.DailyNeeds, MerchantCategory.Services, MerchantCategory.IkmProduct, MerchantCategory.Craft],
            categories);
        Assert.Contains(merchants, m => m.Name.StartsWith("Batik Jonegoroan", StringComparison.Ordinal));
        Assert.Contains(merchants, m => m.Name.StartsWith("Ledre", StringComparison.Ordinal) && m.KecamatanCode == "35.22.19");
    }

    [Fact]
    public void Employees_have_valid_unique_nips_and_plausible_positions()
    {
        var generator = Generator();
        var employees = generator.Employees().ToList();
        Assert.Equal(800, employees.Count);
        var offices = generator.Offices.Select(o => o.Code).ToHashSet();
        Assert.Equal(28, generator.Offices.Count(o => o.Name.StartsWith("Kecamatan ", StringComparison.Ordinal)));
        Assert.Contains(generator.Offices, o => o.Name == "Dinas Kesehatan");
        Assert.Contains(generator.Offices, o => o.Name == "Badan Kepegawaian Daerah");
        Assert.Contains(generator.Offices, o => o.Name == "Inspektorat");
        Assert.All(generator.Offices, o => Assert.Matches(@"^[0-9]\.[0-9]{2}\.[0-9]{2}$", o.Code));
        var today = Period.DateOf(generator.Now);

        foreach (var e in employees)
        {
            AssertNip(e.Nip, today);
            Assert.False(string.IsNullOrWhiteSpace(e.Name));
            Assert.Contains(e.Office.Code, offices);
            Assert.InRange(e.KelasJabatan, 1, 17);
            Assert.InRange(e.TppCeilingRupiah, 1_500_000, 16_500_000);
            Assert.True(e.EmploymentType == EmploymentType.Pns || e.Echelon == Echelon.NonStructural, "PPPK hold no echelon");
            Assert.Equal(EmployeeStatus.Active, e.History[0].Status);
            Assert.Equal(AppointmentOf(e.Nip), e.History[0].EffectiveDate);
            for (var i = 1; i < e.History.Count; i++) Assert.True(e.History[i].EffectiveDate > e.History[i - 1].EffectiveDate);
            Assert.True(e.Current.EffectiveDate <= today);
            Assert.Contains(e.Current.Status, new[] { EmployeeStatus.Active, EmployeeStatus.OnLeave });
        }
        AssertUnique(employees.Select(e => e.Nip));

        Assert.InRange(Share(employees, e => e.EmploymentType == EmploymentType.Pns), 0.70, 0.92);
        Assert.InRange(Share(employees, e => e.Echelon != Echelon.NonStructural), 0.02, 0.20);
        Assert.InRange(Share(employees, e => e.Current.Status == EmployeeStatus.Active), 0.93, 1.0);
        Assert.Contains(employees, e => e.Current.Status == EmployeeStatus.OnLeave);
        Assert.InRange(Share(employees, e => e.KelasJabatan is >= 5 and <= 10), 0.6, 0.9);

        // The TPP ceiling rises with the kelas jabatan.
        var byKelas = employees.GroupBy(e => e.KelasJabatan).ToDictionary(g => g.Key, g => g.Min(e => e.TppCeilingRupiah));
        for (var k = 2; k <= 17; k++) Assert.True(DemoDataGenerator.TppCeilingOf(k) > DemoDataGenerator.TppCeilingOf(k - 1));
        Assert.Equal(1_500_000, DemoDataGenerator.TppCeilingOf(1));
        Assert.Equal(15_000_000, DemoDataGenerator.TppCeilingOf(17));
        Assert.All(byKelas, kv => Assert.True(kv.Value >= DemoDataGenerator.TppCeilingOf(kv.Key)));
    }

    [Fact]
    public void Purchases_are_whole_rupiah_in_the_month_at_active_merchants_with_unique_receipts()
    {
        var generator = Generator();
        Assert.Equal(new Period(2025, 9), generator.Period); // the month before "now" (15 October 2025)
        var merchants = generator.Merchants().ToList();
        var employees = generator.Employees().ToDictionary(e => e.Nip);
        var purchases = generator.Purchases().ToList();

        Assert.InRange(purchases.Count, 800 * 6 * 0.8, 800 * 6 * 1.25);
        var receipts = new HashSet<(int, string)>();
        foreach (var p in purchases)
        {
            Assert.InRange(p.AmountRupiah, 10_000, 500_000);
            Assert.Equal(0, p.AmountRupiah % 500);
            Assert.Equal(generator.Period, Period.Containing(p.OccurredAt));
            Assert.True(p.OccurredAt <= generator.Now);

            var merchant = merchants[p.MerchantIndex];
            Assert.Equal(MerchantStatus.Active, merchant.Current.Status);
            Assert.True(merchant.Current.EffectiveAt < generator.Period.Start, "active for the whole month");

            var employee = employees[p.EmployeeNip];
            Assert.Equal(employee.Office.Code, p.OfficeCode);
            var day = Period.DateOf(p.OccurredAt);
            Assert.Equal(EmployeeStatus.Active, employee.History.Last(h => h.EffectiveDate <= day).Status);

            Assert.True(receipts.Add((p.MerchantIndex, p.ReceiptReference)), $"receipt {p.ReceiptReference} twice at merchant {p.MerchantIndex}");
            if (p.ReceiptKind == ReceiptKind.Nota) Assert.StartsWith("NT-", p.ReceiptReference);
            else
            {
                Assert.Equal(ReceiptKind.Qris, p.ReceiptKind);
                Assert.NotNull(merchant.QrisNmid);
                Assert.Matches("^[0-9]{18,}$", p.ReceiptReference);
            }
            if (p.EvidenceSha256 is not null) Assert.Matches("^[0-9a-f]{64}$", p.EvidenceSha256);
        }
        Assert.Contains(purchases, p => p.ReceiptKind == ReceiptKind.Qris);

        // Some buy nothing, most reach the spending target, purchases go to many merchants.
        var spent = purchases.GroupBy(p => p.EmployeeNip).ToDictionary(g => g.Key, g => g.Sum(p => p.AmountRupiah));
        Assert.InRange(employees.Count - spent.Count, 800 * 0.04, 800 * 0.20);
        var reached = employees.Values.Count(e => spent.GetValueOrDefault(e.Nip) >= DemoDataGenerator.SpendingTargetOf(e.TppCeilingRupiah));
        Assert.InRange(reached / 800.0, 0.55, 0.90);
        Assert.True(purchases.Select(p => p.MerchantIndex).Distinct().Count() > 1000);
    }

    [Fact]
    public void Purchases_stream_without_generating_everything_first()
    {
        var generator = new DemoDataGenerator(
            new DemoDataOptions { Merchants = 91_751, Employees = 500_000, PurchasesPerEmployee = 20 }, HubFactory.DefaultNow);
        var first = generator.Purchases().Take(2000).ToList();
        Assert.Equal(2000, first.Count);
        Assert.All(first, p => Assert.InRange(p.MerchantIndex, 0, 91_750));
    }

    [Fact]
    public void The_month_can_be_chosen_but_not_in_the_future()
    {
        var august = Generator(new DemoDataOptions { Merchants = 300, Employees = 50, Period = "2025-08" });
        Assert.Equal(new Period(2025, 8), august.Period);
        Assert.All(august.Purchases(), p => Assert.Equal(202508, Period.Containing(p.OccurredAt).Key));

        var current = Generator(new DemoDataOptions { Merchants = 300, Employees = 50, Period = "2025-10" });
        Assert.All(current.Purchases(), p => Assert.True(p.OccurredAt <= HubFactory.DefaultNow));

        Assert.Throws<ArgumentException>(() => Generator(new DemoDataOptions { Period = "2025-11" }));
        Assert.Throws<ArgumentException>(() => Generator(new DemoDataOptions { Period = "September" }));
    }

    private static void AssertMerchantHistory(DemoMerchant m, DemoDataGenerator generator)
    {
        Assert.Equal(MerchantStatus.PendingVerification, m.History[0].Status);
        for (var i = 1; i < m.History.Count; i++)
        {
            Assert.True(m.History[i].EffectiveAt > m.History[i - 1].EffectiveAt);
            Assert.NotEqual(m.History[i].Status, m.History[i - 1].Status);
        }
        Assert.All(m.History, h => Assert.False(string.IsNullOrWhiteSpace(h.Reason)));
        Assert.True(m.Current.EffectiveAt <= generator.Now);
    }

    /// <summary>16 digits: 3522 + kecamatan 01-28, DDMMYY birth date (day + 40 for women), 4-digit serial.</summary>
    private static void AssertNik(string nik)
    {
        Assert.Matches("^[0-9]{16}$", nik);
        Assert.StartsWith("3522", nik);
        Assert.InRange(int.Parse(nik[4..6], CultureInfo.InvariantCulture), 1, 28);
        var day = int.Parse(nik[6..8], CultureInfo.InvariantCulture);
        if (day > 40) day -= 40;
        var month = int.Parse(nik[8..10], CultureInfo.InvariantCulture);
        var year = int.Parse(nik[10..12], CultureInfo.InvariantCulture);
        Assert.True(DateTime.TryParseExact($"{day:D2}{month:D2}{year:D2}", "ddMMyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"NIK {nik} has no real birth date");
        Assert.NotEqual("0000", nik[12..]);
    }

    /// <summary>18 digits: birth YYYYMMDD, appointment YYYYMM after the 18th birthday, gender 1/2, serial 001-999.</summary>
    private static void AssertNip(string nip, DateOnly today)
    {
        Assert.Matches("^[0-9]{18}$", nip);
        Assert.True(DateOnly.TryParseExact(nip[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth), $"NIP {nip}: birth date");
        var appointment = AppointmentOf(nip);
        Assert.True(appointment > birth.AddYears(18), $"NIP {nip}: appointed before the 18th birthday");
        Assert.True(appointment <= today, $"NIP {nip}: appointed in the future");
        Assert.Contains(nip[14], "12");
        Assert.InRange(int.Parse(nip[15..], CultureInfo.InvariantCulture), 1, 999);
    }

    private static DateOnly AppointmentOf(string nip)
    {
        Assert.True(DateOnly.TryParseExact(nip[8..14] + "01", "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var appointment), $"NIP {nip}: appointment month");
        return appointment;
    }

    private static void AssertUnique(IEnumerable<string> values)
    {
        var seen = new HashSet<string>();
        foreach (var v in values) Assert.True(seen.Add(v), $"'{v}' occurs twice");
    }

    private static double Share<T>(IReadOnlyCollection<T> items, Func<T, bool> predicate) => items.Count(predicate) / (double)items.Count;
}
