using System.Globalization;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Roster;
using static EBakul.Hub.DemoData.BojonegoroVocabulary;

namespace EBakul.Hub.DemoData;

/// <summary>
/// Realistic synthetic data for Kabupaten Bojonegoro (35.22): merchants across the 28 kecamatan,
/// civil servants in the regency's offices, and one month of their purchases. A demo of several regencies
/// (<see cref="DemoDataOptions.Regencies"/>) has a generator per regency, each shaped like Bojonegoro under the
/// regency's codes (<see cref="DemoRegencies"/>). Deterministic: the same
/// options and "now" give the same rows. Rows are produced lazily (<see cref="IEnumerable{T}"/>), so any
/// size can be generated in constant memory apart from a few bytes per merchant and per NIP prefix.
/// <para>
/// The generator only describes rows; it stores nothing. <see cref="DemoDataLoader"/> writes them into
/// the hub's database, and a client can send the same rows through the gRPC services.
/// </para>
/// </summary>
public sealed partial class DemoDataGenerator
{
    /// <summary>The first regency of every demo (a demo of one regency is Bojonegoro alone).</summary>
    public const string RegencyCode = ReferenceData.BojonegoroCode;

    /// <summary>The caller recorded as the author of every generated change.</summary>
    public const string RecordedBy = "demo-data";

    /// <summary>Smallest purchase, in rupiah.</summary>
    public const long MinAmountRupiah = 10_000;

    /// <summary>Largest purchase, in rupiah.</summary>
    public const long MaxAmountRupiah = 500_000;

    /// <summary>Every amount is a multiple of this many rupiah.</summary>
    public const long AmountStepRupiah = 500;

    private const int MerchantStream = 1, EmployeeStream = 2, PurchaseStream = 3;

    /// <summary>TPP ceiling by kelas jabatan (index 1-17): from Rp1.5 million to Rp15 million, geometric, in Rp1,000.</summary>
    private static readonly long[] TppByKelas = Enumerable.Range(0, 18)
        .Select(k => k == 0 ? 0 : (long)Math.Round(1_500_000 * Math.Pow(10, (k - 1) / 16.0) / 1000) * 1000)
        .ToArray();

    private static readonly WeightedChoice<MerchantCategory> Categories = new(CategoryWeights);
    private static readonly WeightedChoice<MerchantScale> Scales = new(ScaleWeights);
    private static readonly WeightedChoice<int> Kelas = new(KelasWeights);
    private static readonly WeightedChoice<int> PurchaseHours = new(new (int, double)[]
    {
        (6, 2), (7, 4), (8, 3), (9, 3), (10, 4), (11, 7), (12, 9), (13, 6), (14, 3), (15, 4), (16, 5),
        (17, 4), (18, 4), (19, 5), (20, 4), (21, 2),
    });

    private readonly IReadOnlyList<(string Code, string Name)> _kecamatan;
    private readonly WeightedChoice<int> _kecamatanChoice;
    private readonly WeightedChoice<DemoOffice> _officeChoice;
    private readonly Dictionary<string, int> _kecamatanIndex;
    private readonly ulong _nibOffset, _qrisOffset;

    /// <summary>The seed of this regency's rows: the demo's seed for the first regency, another for each of the others.</summary>
    private readonly int _regencySeed;

    /// <summary>Where this regency's NIB and QRIS numbers start, so that regencies never share one.</summary>
    private readonly ulong _identifierBase;

    /// <summary>NIP serials of this regency: [<c>_serialBase</c> + 1, <c>_serialBase</c> + <c>_serialWidth</c>] (regencies never share a NIP).</summary>
    private readonly int _serialBase, _serialWidth;

    /// <summary>Merchants per regency at most (their NIB and QRIS numbers are apart by this).</summary>
    private const int MaximumMerchantsPerRegency = 10_000_000;

    /// <summary>
    /// A generator for <paramref name="options"/> (sizes, seed, month) as seen at <paramref name="now"/>, of
    /// <paramref name="regency"/> (the first of <see cref="DemoRegencies.JawaTimur"/>, Bojonegoro, when not given).
    /// </summary>
    public DemoDataGenerator(DemoDataOptions options, DateTimeOffset now, DemoRegency? regency = null)
    {
        Regency = regency ?? DemoRegencies.JawaTimur[0];
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Merchants, MaximumMerchantsPerRegency);
        var regencies = Math.Max(1, options.Regencies);
        if (Regency.Ordinal >= regencies)
            throw new ArgumentException($"regency {Regency.Code} is not among the demo's {regencies} regencies (DemoData:Regencies)", nameof(regency));
        _regencySeed = Regency.Ordinal == 0 ? options.Seed : unchecked(options.Seed + 7_919 * Regency.Ordinal);
        _identifierBase = (ulong)Regency.Ordinal * MaximumMerchantsPerRegency;
        _serialWidth = 999 / regencies;
        _serialBase = Regency.Ordinal * _serialWidth;
        ArgumentOutOfRangeException.ThrowIfNegative(options.Merchants);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Employees);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PurchasesPerEmployee);
        Seed = options.Seed;
        MerchantCount = options.Merchants;
        EmployeeCount = options.Employees;
        PurchasesPerEmployee = options.PurchasesPerEmployee;
        Now = now;
        var current = Domain.Period.Containing(now);
        if (string.IsNullOrWhiteSpace(options.Period)) Period = current.Previous;
        else if (!Domain.Period.TryParse(options.Period, out var period))
            throw new ArgumentException($"DemoData:Period '{options.Period}' is not a month 'YYYY-MM'", nameof(options));
        else Period = period;
        if (Period > current)
            throw new ArgumentException($"DemoData:Period {Period} is after the current month {current}", nameof(options));

        _kecamatan = DemoRegencies.KecamatanOf(Regency);
        if (_kecamatan.Count != BojonegoroVocabulary.Kecamatan.Length
            || _kecamatan.Where((k, i) => k.Code != $"{Regency.Code}.{BojonegoroVocabulary.Kecamatan[i].Suffix}").Any())
            throw new InvalidOperationException("the kecamatan reference list and the demo vocabulary disagree");
        _kecamatanIndex = _kecamatan.Select((k, i) => (k.Code, i)).ToDictionary(x => x.Code, x => x.i);
        _kecamatanChoice = new WeightedChoice<int>(BojonegoroVocabulary.Kecamatan.Select((k, i) => (i, k.Weight)));
        var offices = BojonegoroVocabulary.Offices(Regency.Code, _kecamatan);
        Offices = offices.Select(o => o.Office).ToList();
        _officeChoice = new WeightedChoice<DemoOffice>(offices);
        PlantsIntegrityCases = options.PlantIntegrityCases;
        _plantedPlan = options.PlantIntegrityCases ? PlanIntegrityCases(Math.Max(1, options.PlantedCasesPerKind)) : PlantedPlan.Empty;
        var seedRandom = DemoRandom.For(Seed, 0, 0);
        _nibOffset = seedRandom.NextUInt64() % TenPow10;
        _qrisOffset = seedRandom.NextUInt64() % TenPow11;
    }

    /// <summary>The demo's seed.</summary>
    public int Seed { get; }

    /// <summary>The regency this generator's rows belong to.</summary>
    public DemoRegency Regency { get; }

    /// <summary>How many merchants <see cref="Merchants"/> yields.</summary>
    public int MerchantCount { get; }

    /// <summary>How many employees <see cref="Employees"/> yields.</summary>
    public int EmployeeCount { get; }

    /// <summary>Average purchases per employee.</summary>
    public int PurchasesPerEmployee { get; }

    /// <summary>The month of the purchases.</summary>
    public Period Period { get; }

    /// <summary>The moment the data is generated for: nothing happens after it.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The regency's offices (OPD and the 28 Kecamatan offices).</summary>
    public IReadOnlyList<DemoOffice> Offices { get; }

    /// <summary>The TPP ceiling of a kelas jabatan in an ordinary office, in whole rupiah.</summary>
    public static long TppCeilingOf(int kelasJabatan) => TppByKelas[kelasJabatan];

    /// <summary>
    /// What the generated employees aim to spend at least: 10% of the TPP ceiling with a floor of
    /// Rp300,000 (one of the reported rules; the quota policy that counts is configured separately).
    /// </summary>
    public static long SpendingTargetOf(long tppCeilingRupiah) => Math.Max(300_000, tppCeilingRupiah / 10);

    // ------------------------------------------------------------------ merchants

    /// <summary>Every merchant, in index order.</summary>
    public IEnumerable<DemoMerchant> Merchants()
    {
        var niks = new HashSet<long>();
        for (var i = 0; i < MerchantCount; i++) yield return Merchant(i, niks);
        for (var i = 0; i < _plantedPlan.Merchants.Count; i++) yield return PlantedMerchant(i, niks);
    }

    /// <summary>What the purchases need to know of a merchant, drawn first from its stream.</summary>
    private readonly record struct MerchantSkeleton(int Kecamatan, MerchantCategory Category, MerchantScale Scale,
        MerchantStatus Status, bool Reinstated, bool HasNib, bool HasQris);

    private MerchantSkeleton DrawSkeleton(ref DemoRandom r)
    {
        var kecamatan = _kecamatanChoice.Next(ref r);
        var category = Categories.Next(ref r);
        var scale = Scales.Next(ref r);
        var u = r.NextDouble();
        var (status, reinstated) = u < 0.07 ? (MerchantStatus.PendingVerification, false)
            : u < 0.10 ? (MerchantStatus.Suspended, false)
            : u < 0.11 ? (MerchantStatus.Active, true)
            : (MerchantStatus.Active, false);
        var hasNib = r.Chance(scale switch { MerchantScale.UltraMicro => 0.68, MerchantScale.Micro => 0.82, _ => 0.97 });
        var hasQris = r.Chance(scale switch
        {
            MerchantScale.UltraMicro => 0.18, MerchantScale.Micro => 0.40, MerchantScale.Small => 0.70, _ => 0.85,
        });
        return new MerchantSkeleton(kecamatan, category, scale, status, reinstated, hasNib, hasQris);
    }

    private MerchantSkeleton Skeleton(int index)
    {
        var r = DemoRandom.For(_regencySeed, MerchantStream, index);
        return DrawSkeleton(ref r);
    }

    private DemoMerchant Merchant(int index, HashSet<long> niks)
    {
        var r = DemoRandom.For(_regencySeed, MerchantStream, index);
        var s = DrawSkeleton(ref r);
        return BuildMerchant(index, s, ref r, niks, history: null);
    }

    /// <summary>
    /// A merchant of skeleton <paramref name="s"/> drawn from <paramref name="r"/>: names, NIK, address, place and, unless
    /// given, its status history.
    /// </summary>
    private DemoMerchant BuildMerchant(int index, MerchantSkeleton s, ref DemoRandom r, HashSet<long> niks, IReadOnlyList<DemoMerchantStatus>? history)
    {
        var (kecamatanCode, kecamatanName) = _kecamatan[s.Kecamatan];
        var place = BojonegoroVocabulary.Kecamatan[s.Kecamatan];

        var female = r.Chance(0.55);
        var (ownerName, callName) = PersonName(female, ref r, singleNameChance: 0.2);
        var age = r.Next(19, 69);
        var birth = Period.FirstDay.AddYears(-age).AddDays(-r.Next(365));
        var nikKecamatan = r.Chance(0.85) ? place.Suffix : BojonegoroVocabulary.Kecamatan[r.Next(28)].Suffix;
        var nik = UniqueNik(Regency.Code, nikKecamatan, birth, female, r.Next(1, 10000), niks);

        var name = BusinessName(s.Category, s.Scale, s.Kecamatan, female, callName, ref r);
        var address = Address(s.Kecamatan, kecamatanName, Regency.Name, ref r);
        var latitude = Math.Round(Math.Clamp(place.Latitude + Clamp3(r.NextGaussian()) * place.Spread, MinLatitude, MaxLatitude), 6);
        var longitude = Math.Round(Math.Clamp(place.Longitude + Clamp3(r.NextGaussian()) * place.Spread, MinLongitude, MaxLongitude), 6);
        var nib = s.HasNib ? "912" + Permute(_identifierBase + (ulong)index, 7_654_321_009UL, _nibOffset, TenPow10).ToString("D10", CultureInfo.InvariantCulture) : null;
        var qris = s.HasQris ? "ID10" + Permute(_identifierBase + (ulong)index, 58_374_651_923UL, _qrisOffset, TenPow11).ToString("D11", CultureInfo.InvariantCulture) : null;

        return new DemoMerchant(index, name, ownerName, nik, nib, s.Category, s.Scale, kecamatanCode, address,
            latitude, longitude, qris, history ?? MerchantHistory(s, ref r));
    }

    private IReadOnlyList<DemoMerchantStatus> MerchantHistory(MerchantSkeleton s, ref DemoRandom r)
    {
        var start = Period.Start;
        if (s.Status == MerchantStatus.PendingVerification)
        {
            var from = start.AddDays(-45);
            var registeredPending = from.AddSeconds(r.NextInt64((long)(Now - from).TotalSeconds - 3600));
            return [new DemoMerchantStatus(MerchantStatus.PendingVerification, RegistrationReason, registeredPending)];
        }
        var daysBefore = s.Reinstated ? r.Next(90, 200) : s.Status == MerchantStatus.Suspended ? r.Next(40, 200) : r.Next(14, 150);
        var registered = DuringOfficeHours(start.AddDays(-daysBefore), ref r);
        var verified = DuringOfficeHours(registered.AddDays(r.Next(1, 12)), ref r);
        var history = new List<DemoMerchantStatus>(4)
        {
            new(MerchantStatus.PendingVerification, RegistrationReason, registered),
            new(MerchantStatus.Active, r.Pick(VerificationReasons), verified),
        };
        if (s.Status == MerchantStatus.Suspended || s.Reinstated)
        {
            var suspended = DuringOfficeHours(verified.AddDays(r.Next(7, 25)), ref r);
            history.Add(new(MerchantStatus.Suspended, r.Pick(SuspensionReasons), suspended));
            if (s.Reinstated)
                history.Add(new(MerchantStatus.Active, r.Pick(ReinstatementReasons), DuringOfficeHours(suspended.AddDays(r.Next(3, 20)), ref r)));
        }
        return history;
    }

    /// <summary>The Jakarta date of <paramref name="day"/> at a random time between 08:00 and 15:59 WIB.</summary>
    private static DateTimeOffset DuringOfficeHours(DateTimeOffset day, ref DemoRandom r) =>
        Domain.Period.StartOfDay(Domain.Period.DateOf(day)).AddSeconds(8 * 3600 + r.Next(8 * 3600));

    private static string UniqueNik(string regencyCode, string kecamatanSuffix, DateOnly birth, bool female, int serial, HashSet<long> used)
    {
        var day = birth.Day + (female ? 40 : 0);
        var head = $"{regencyCode.Replace(".", "", StringComparison.Ordinal)}{kecamatanSuffix}{day:D2}{birth.Month:D2}{birth.Year % 100:D2}";
        var prefix = long.Parse(head, CultureInfo.InvariantCulture) * 10_000;
        for (var attempt = 0; attempt < 9999; attempt++)
        {
            if (used.Add(prefix + serial)) return head + serial.ToString("D4", CultureInfo.InvariantCulture);
            serial = serial % 9999 + 1;
        }
        throw new InvalidOperationException("no free NIK serial left");
    }

    private string BusinessName(MerchantCategory category, MerchantScale scale, int kecamatan, bool female, string callName, ref DemoRandom r)
    {
        var suffix = BojonegoroVocabulary.Kecamatan[kecamatan].Suffix;
        var honorific = Honorific(female, ref r);
        var u = r.NextDouble();
        switch (category)
        {
            case MerchantCategory.FoodAndDrink:
                if (scale >= MerchantScale.Small && u < 0.5) return $"{(r.Chance(0.5) ? "Rumah Makan" : "Depot")} {r.Pick(Epithets)}";
                return u < 0.35 ? $"Warung Makan {honorific} {callName}"
                    : u < 0.80 ? $"{r.Pick(Dishes)} {honorific} {callName}"
                    : u < 0.90 ? $"Kedai Kopi {r.Pick(Epithets)}"
                    : $"{r.Pick(Dishes)} {r.Pick(Epithets)}";
            case MerchantCategory.DailyNeeds:
                return u < 0.6 ? $"{r.Pick(DailyNeedsShops)} {r.Pick(Epithets)}" : $"{r.Pick(DailyNeedsShops)} {honorific} {callName}";
            case MerchantCategory.Services:
                return u < 0.5 ? $"{r.Pick(ServiceKinds)} {r.Pick(Epithets)}" : $"{r.Pick(ServiceKinds)} {callName}";
            case MerchantCategory.IkmProduct:
            {
                var product = Specialties.TryGetValue(suffix, out var local) && r.Chance(0.5) && !IsCraft(local[0])
                    ? r.Pick(local) : r.Pick(IkmProducts);
                return u < 0.6 ? $"{product} {r.Pick(Epithets)}" : $"{product} {honorific} {callName}";
            }
            default:
            {
                var craft = Specialties.TryGetValue(suffix, out var local) && r.Chance(0.5) && IsCraft(local[0])
                    ? r.Pick(local) : r.Pick(Crafts);
                if (craft == "Batik Jonegoroan") return $"Batik Jonegoroan {r.Pick(u < 0.6 ? BatikMotifs : Epithets)}";
                return u < 0.6 ? $"{craft} {r.Pick(Epithets)}" : $"{craft} {callName}";
            }
        }
    }

    private static bool IsCraft(string product) =>
        product.StartsWith("Gerabah", StringComparison.Ordinal) || product.StartsWith("Batik", StringComparison.Ordinal)
        || product.StartsWith("Wayang", StringComparison.Ordinal);

    private static string Address(int kecamatan, string kecamatanName, string regencyName, ref DemoRandom r)
    {
        if (BojonegoroVocabulary.Kecamatan[kecamatan].Suffix == "15")
            return $"{r.Pick(TownStreets)} No. {r.Next(1, 250)}, Kec. Bojonegoro, {regencyName}";
        var street = r.Pick(VillageStreets);
        var where = street == "Jl. Raya" ? $"Jl. Raya {kecamatanName} No. {r.Next(1, 400)}"
            : street.StartsWith("Dusun", StringComparison.Ordinal) ? $"{street} RT {r.Next(1, 13):D2}/RW {r.Next(1, 7):D2}"
            : $"{street} No. {r.Next(1, 120)}, RT {r.Next(1, 13):D2}/RW {r.Next(1, 7):D2}";
        return $"{where}, Kec. {kecamatanName}, {regencyName}";
    }

    private static double Clamp3(double gaussian) => Math.Clamp(gaussian, -2.5, 2.5);

    private const ulong TenPow10 = 10_000_000_000UL, TenPow11 = 100_000_000_000UL;

    /// <summary>An affine bijection of [0, modulus): distinct indexes give distinct numbers (multiplier coprime to 10).</summary>
    private static ulong Permute(ulong index, ulong multiplier, ulong offset, ulong modulus) =>
        (ulong)(((UInt128)multiplier * index + offset) % modulus);

    // ------------------------------------------------------------------ people

    private static (string Full, string CallName) PersonName(bool female, ref DemoRandom r, double singleNameChance)
    {
        if (r.Chance(singleNameChance))
        {
            var single = r.Pick(female ? FemaleSingle : MaleSingle);
            return (single, single);
        }
        var first = r.Pick(female ? FemaleFirst : MaleFirst);
        var last = r.Pick(female ? FemaleLast : MaleLast);
        var callName = first is "Moch." or "Muhammad" or "Nur" or "Tri" or "Dwi" or "Sri" or "Siti" ? last : first;
        return ($"{first} {last}", callName);
    }

    // ------------------------------------------------------------------ employees

    /// <summary>Every employee, in generation order. NIPs are unique.</summary>
    public IEnumerable<DemoEmployee> Employees()
    {
        var serials = new Dictionary<long, int>();
        for (var i = 0; i < EmployeeCount; i++) yield return Employee(i, serials);
        for (var i = 0; i < _plantedPlan.Employees.Count; i++) yield return PlantedEmployee(i, serials);
    }

    private DemoEmployee Employee(int ordinal, Dictionary<long, int> serials)
    {
        var r = DemoRandom.For(_regencySeed, EmployeeStream, ordinal);
        var office = _officeChoice.Next(ref r);
        var health = IsHealthOffice(office.Code);
        var kelas = Kelas.Next(ref r);
        var type = kelas <= 10 && r.Chance(0.22) ? EmploymentType.Pppk : EmploymentType.Pns;
        var female = r.Chance(health ? 0.65 : 0.45);
        var reference = Period.FirstDay;

        string nip;
        DateOnly appointment;
        while (true)
        {
            var (minAge, maxAge) = type == EmploymentType.Pppk ? (25, 51) : kelas >= 12 ? (38, 59) : kelas >= 8 ? (28, 58) : (22, 58);
            var birth = reference.AddYears(-r.Next(minAge, maxAge)).AddDays(-r.Next(365));
            var earliest = birth.AddYears(19);
            DateOnly appointed;
            if (type == EmploymentType.Pppk)
            {
                var first = new DateOnly(Math.Max(2022, earliest.Year), 1, 1);
                appointed = first.AddMonths(r.Next(Math.Max(1, MonthsBetween(first, reference) + 1)));
            }
            else
            {
                appointed = birth.AddYears(r.Next(22, 33)).AddMonths(r.Next(12));
            }
            if (appointed <= earliest || appointed > reference)
            {
                // Too early or not yet: any month between the 19th birthday and the period instead.
                var span = MonthsBetween(earliest, reference);
                appointed = span < 1 ? reference : earliest.AddMonths(1 + r.Next(span));
            }
            appointment = new DateOnly(appointed.Year, appointed.Month, 1);
            var prefix = (((long)(birth.Year * 10000 + birth.Month * 100 + birth.Day) * 1_000_000)
                          + appointment.Year * 100 + appointment.Month) * 10 + (female ? 2 : 1);
            var count = serials.GetValueOrDefault(prefix) + 1;
            if (count > _serialWidth) continue;
            serials[prefix] = count;
            var serial = _serialBase + count;
            nip = prefix.ToString("D15", CultureInfo.InvariantCulture) + serial.ToString("D3", CultureInfo.InvariantCulture);
            break;
        }

        var echelon = type == EmploymentType.Pppk ? Echelon.NonStructural : kelas switch
        {
            >= 15 => Echelon.IIA,
            14 when r.Chance(0.7) => Echelon.IIB,
            12 or 13 when r.Chance(0.4) => Echelon.IIIA,
            11 when r.Chance(0.3) => Echelon.IIIB,
            9 or 10 when r.Chance(0.15) => Echelon.IVA,
            8 when r.Chance(0.1) => Echelon.IVB,
            _ => Echelon.NonStructural,
        };
        var ceiling = TppByKelas[kelas];
        if (HigherTppOffices.Contains(office.Code)) ceiling = ceiling * 11 / 10 / 1000 * 1000;

        var name = EmployeeName(female, kelas, health, ref r);
        return new DemoEmployee(nip, name, office, kelas, type, echelon, ceiling, EmployeeHistory(appointment, female, ref r));
    }

    private static int MonthsBetween(DateOnly from, DateOnly to) => (to.Year - from.Year) * 12 + to.Month - from.Month;

    private static string EmployeeName(bool female, int kelas, bool health, ref DemoRandom r)
    {
        var (name, _) = PersonName(female, ref r, singleNameChance: kelas >= 10 ? 0.05 : 0.12);
        if (health && kelas is >= 10 and <= 13 && r.Chance(0.35)) return $"dr. {name}" + (r.Chance(0.3) ? ", M.Kes." : "");
        string? degree = kelas switch
        {
            >= 9 => health && r.Chance(0.6) ? r.Pick(HealthDegrees) : r.Pick(Degrees),
            >= 6 when r.Chance(0.6) => health ? r.Pick(HealthDegrees) : r.Chance(0.4) ? "A.Md." : r.Pick(Degrees),
            _ => null,
        };
        if (degree is null) return name;
        var master = kelas >= 12 && r.Chance(0.6) ? $", {r.Pick(MasterDegrees)}" : "";
        return $"{name}, {degree}{master}";
    }

    private IReadOnlyList<DemoEmployeeStatus> EmployeeHistory(DateOnly appointment, bool female, ref DemoRandom r)
    {
        var history = new List<DemoEmployeeStatus>(3) { new(EmployeeStatus.Active, appointment) };
        var today = Domain.Period.DateOf(Now);
        var u = r.NextDouble();
        if (u < 0.03)
        {
            // On leave now: from a day in the two months before the period up to its last day (or today).
            var from = Period.FirstDay.AddDays(-60);
            var to = Period.LastDay < today ? Period.LastDay : today;
            var start = from.AddDays(r.Next(to.DayNumber - from.DayNumber + 1));
            if (start > appointment) history.Add(new(EmployeeStatus.OnLeave, start));
        }
        else if (u < 0.05)
        {
            // An earlier leave (maternity leave for some women) that has ended before the period.
            var length = female && r.Chance(0.5) ? 90 : r.Next(12, 60);
            var end = Period.FirstDay.AddDays(-r.Next(1, 200));
            var start = end.AddDays(-length);
            if (start > appointment)
            {
                history.Add(new(EmployeeStatus.OnLeave, start));
                history.Add(new(EmployeeStatus.Active, end));
            }
        }
        return history;
    }

    // ------------------------------------------------------------------ purchases

    /// <summary>
    /// The month's purchases, employee by employee (each employee's in time order). Some employees buy
    /// nothing, some fall short of <see cref="SpendingTargetOf"/>, most reach or pass it. Purchases happen on
    /// days the employee is ACTIVE, at merchants ACTIVE for the whole month, mostly near the office, near
    /// home or at a few favourite merchants. Receipt references are unique per merchant.
    /// </summary>
    public IEnumerable<DemoPurchase> Purchases()
    {
        if (PurchasesPerEmployee == 0 || MerchantCount == 0) yield break;
        var plan = PlanMerchants();
        if (plan.All.Length == 0) yield break;
        var ordinal = 0;
        var buffer = new List<Draft>(64);
        var byOffice = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var planted = new List<DemoEmployee>(_plantedPlan.Employees.Count);
        foreach (var employee in Employees())
        {
            if (ordinal >= EmployeeCount)
            {
                planted.Add(employee);
                continue;
            }
            if (PlantsIntegrityCases)
            {
                if (!byOffice.TryGetValue(employee.Office.Code, out var staff)) byOffice[employee.Office.Code] = staff = [];
                staff.Add(employee.Nip);
            }
            DraftPurchases(employee, ordinal++, plan, buffer);
            foreach (var draft in buffer) yield return plan.Complete(employee, draft);
        }
        foreach (var purchase in PlantedPurchases(planted, byOffice)) yield return purchase;
    }

    private readonly record struct Draft(int MerchantIndex, long AmountRupiah, DateTimeOffset OccurredAt, ReceiptKind Kind, string? EvidenceSha256);

    /// <summary>The merchants purchases can go to, by kecamatan, and each merchant's receipt counter.</summary>
    private sealed class MerchantPlan(int[][] byKecamatan, int[] all, bool[] hasQris)
    {
        private readonly int[] _receipts = new int[hasQris.Length];

        public int[][] ByKecamatan { get; } = byKecamatan;
        public int[] All { get; } = all;
        public bool HasQris(int merchant) => hasQris[merchant];

        public DemoPurchase Complete(DemoEmployee employee, Draft draft)
        {
            var number = ++_receipts[draft.MerchantIndex];
            var local = TimeZoneInfo.ConvertTime(draft.OccurredAt, Domain.Period.Jakarta);
            var reference = draft.Kind == ReceiptKind.Nota
                ? string.Create(CultureInfo.InvariantCulture, $"NT-{local:yyMMdd}-{number:D4}")
                : string.Create(CultureInfo.InvariantCulture, $"{local:yyMMddHHmmss}{number:D6}");
            return new DemoPurchase(employee.Nip, employee.Office.Code, draft.MerchantIndex, draft.AmountRupiah,
                draft.OccurredAt, draft.Kind, reference, draft.EvidenceSha256);
        }
    }

    private MerchantPlan PlanMerchants()
    {
        var byKecamatan = Enumerable.Range(0, _kecamatan.Count).Select(_ => new List<int>()).ToArray();
        var hasQris = new bool[MerchantCount];
        var all = new List<int>();
        for (var i = 0; i < MerchantCount; i++)
        {
            var s = Skeleton(i);
            hasQris[i] = s.HasQris;
            // Only merchants ACTIVE through the whole month: every other status ends before the month starts.
            if (s.Status != MerchantStatus.Active) continue;
            byKecamatan[s.Kecamatan].Add(i);
            all.Add(i);
        }
        return new MerchantPlan(byKecamatan.Select(l => l.ToArray()).ToArray(), all.ToArray(), hasQris);
    }

    private void DraftPurchases(DemoEmployee employee, int ordinal, MerchantPlan plan, List<Draft> buffer)
    {
        buffer.Clear();
        var r = DemoRandom.For(_regencySeed, PurchaseStream, ordinal);
        var days = ActiveDays(employee);
        if (days.Count == 0) return;

        var behaviour = r.NextDouble();
        if (behaviour < 0.08) return; // spends nothing this month
        var factorPermille = behaviour < 0.20 ? r.Next(500, 950) : r.Next(1000, 1600);
        var target = SpendingTargetOf(employee.TppCeilingRupiah) * factorPermille / 1000;
        var count = (int)Math.Round(PurchasesPerEmployee / 0.92 * (0.5 + r.NextDouble()));
        count = Math.Max(count, (int)((target + 449_999) / 450_000));
        count = Math.Max(count, 1);
        var unit = target / count;

        var officeKecamatan = plan.ByKecamatan[_kecamatanIndex[employee.Office.KecamatanCode]];
        var homeKecamatan = plan.ByKecamatan[_kecamatanChoice.Next(ref r)];
        var near = officeKecamatan.Length > 0 ? officeKecamatan : plan.All;
        Span<int> favourites = [Skewed(near, ref r), Skewed(near, ref r), Skewed(plan.All, ref r)];

        for (var k = 0; k < count; k++)
        {
            var amount = unit * r.Next(500, 1501) / 1000;
            amount = Math.Clamp((amount + AmountStepRupiah / 2) / AmountStepRupiah * AmountStepRupiah, MinAmountRupiah, MaxAmountRupiah);

            var where = r.NextDouble();
            var merchant = where < 0.40 ? favourites[r.Next(favourites.Length)]
                : where < 0.75 ? Skewed(near, ref r)
                : where < 0.92 && homeKecamatan.Length > 0 ? Skewed(homeKecamatan, ref r)
                : Skewed(plan.All, ref r);

            var occurredAt = PurchaseTime(days, ref r);
            if (occurredAt is not { } at) continue;
            var kind = plan.HasQris(merchant) && r.Chance(0.65) ? ReceiptKind.Qris : ReceiptKind.Nota;
            var evidence = r.Chance(kind == ReceiptKind.Nota ? 0.7 : 0.2) ? RandomSha256(ref r) : null;
            buffer.Add(new Draft(merchant, amount, at, kind, evidence));
        }
        buffer.Sort((a, b) => a.OccurredAt.CompareTo(b.OccurredAt));
    }

    /// <summary>The days of the month (up to today) on which the employee's status is ACTIVE.</summary>
    private List<DateOnly> ActiveDays(DemoEmployee employee)
    {
        var days = new List<DateOnly>(31);
        var today = Domain.Period.DateOf(Now);
        for (var day = Period.FirstDay; day <= Period.LastDay && day <= today; day = day.AddDays(1))
        {
            EmployeeStatus? status = null;
            foreach (var change in employee.History)
                if (change.EffectiveDate <= day) status = change.Status;
            if (status == EmployeeStatus.Active) days.Add(day);
        }
        return days;
    }

    /// <summary>A day (weekdays more than weekends) and a time of day in Jakarta; null when it would be in the future.</summary>
    private DateTimeOffset? PurchaseTime(List<DateOnly> days, ref DemoRandom r)
    {
        var day = days[r.Next(days.Count)];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var weight = day.DayOfWeek switch { DayOfWeek.Saturday => 0.6, DayOfWeek.Sunday => 0.4, _ => 1.0 };
            if (r.Chance(weight)) break;
            day = days[r.Next(days.Count)];
        }
        var at = Domain.Period.StartOfDay(day).AddSeconds(PurchaseHours.Next(ref r) * 3600 + r.Next(3600));
        return at <= Now ? at : null;
    }

    /// <summary>An element of <paramref name="merchants"/>, the first ones (the well-known warung) more often.</summary>
    private static int Skewed(int[] merchants, ref DemoRandom r) =>
        merchants[(int)(merchants.Length * Math.Pow(r.NextDouble(), 1.6))];

    private static string RandomSha256(ref DemoRandom r)
    {
        Span<byte> bytes = stackalloc byte[32];
        for (var i = 0; i < 32; i += 8) BitConverter.TryWriteBytes(bytes[i..], r.NextUInt64());
        return Convert.ToHexStringLower(bytes);
    }
}
