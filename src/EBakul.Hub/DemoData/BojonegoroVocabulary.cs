using EBakul.Hub.Domain.Merchants;

namespace EBakul.Hub.DemoData;

/// <summary>
/// The words and places the demo data is made of: Javanese names, the kinds of business found in
/// Bojonegoro (warung, pracangan, ledre from Padangan, salak from Kapas, Batik Jonegoroan, wayang thengul),
/// the regency's offices (OPD) and a synthetic centre for each kecamatan.
/// </summary>
internal static class BojonegoroVocabulary
{
    /// <summary>
    /// Per kecamatan (in the order of the reference list, 35.22.01 … 35.22.28): a SYNTHETIC centre (rough
    /// placements inside Bojonegoro's bounding box, not surveyed coordinates), the spread of merchants
    /// around it in degrees, and a weight for the share of merchants (roughly population; the town
    /// kecamatan Bojonegoro carries the most trade).
    /// </summary>
    public static readonly (string Suffix, double Latitude, double Longitude, double Spread, double Weight)[] Kecamatan =
    [
        ("01", -7.255, 111.505, 0.030, 47),   // Ngraho
        ("02", -7.335, 111.585, 0.030, 55),   // Tambakrejo
        ("03", -7.300, 111.665, 0.020, 13),   // Ngambon
        ("04", -7.245, 111.740, 0.025, 47),   // Ngasem
        ("05", -7.330, 111.780, 0.020, 15),   // Bubulan
        ("06", -7.225, 111.850, 0.030, 67),   // Dander
        ("07", -7.300, 111.965, 0.025, 47),   // Sugihwaras
        ("08", -7.300, 112.040, 0.030, 83),   // Kedungadem
        ("09", -7.240, 112.080, 0.025, 67),   // Kepohbaru
        ("10", -7.120, 112.070, 0.025, 83),   // Baureno
        ("11", -7.075, 112.030, 0.020, 60),   // Kanor
        ("12", -7.145, 112.010, 0.020, 73),   // Sumberrejo
        ("13", -7.150, 111.965, 0.020, 67),   // Balen
        ("14", -7.185, 111.920, 0.018, 56),   // Kapas
        ("15", -7.152, 111.882, 0.012, 180),  // Bojonegoro (town)
        ("16", -7.160, 111.785, 0.020, 60),   // Kalitidu
        ("17", -7.105, 111.720, 0.020, 34),   // Malo
        ("18", -7.200, 111.690, 0.020, 34),   // Purwosari
        ("19", -7.170, 111.615, 0.018, 49),   // Padangan
        ("20", -7.115, 111.575, 0.018, 22),   // Kasiman
        ("21", -7.330, 111.880, 0.025, 38),   // Temayang
        ("22", -7.360, 111.500, 0.025, 23),   // Margomulyo
        ("23", -7.110, 111.830, 0.018, 41),   // Trucuk
        ("24", -7.230, 111.960, 0.020, 41),   // Sukosewu
        ("25", -7.075, 111.640, 0.018, 15),   // Kedewan
        ("26", -7.405, 111.800, 0.020, 26),   // Gondang
        ("27", -7.385, 111.650, 0.020, 26),   // Sekar
        ("28", -7.205, 111.800, 0.018, 34),   // Gayam
    ];

    /// <summary>Bojonegoro's bounding box: every generated point lies inside.</summary>
    public const double MinLatitude = -7.45, MaxLatitude = -7.00, MinLongitude = 111.45, MaxLongitude = 112.10;

    /// <summary>Male given names.</summary>
    public static readonly string[] MaleFirst =
    [
        "Agus", "Budi", "Slamet", "Bambang", "Joko", "Heru", "Eko", "Dwi", "Andi", "Rudi", "Hadi", "Yusuf",
        "Ahmad", "Muhammad", "Moch.", "Arif", "Fajar", "Rizky", "Dimas", "Bayu", "Teguh", "Wahyu", "Hendra",
        "Imam", "Sugeng", "Setyo", "Ilham", "Aditya", "Yoga", "Anton", "Didik", "Gatot", "Hari", "Nanang",
        "Khoirul", "Abdul", "Ali", "Hasan", "Lukman", "Mahfud", "Priyo", "Catur", "Samsul", "Tri", "Yudi",
        "Ferry", "Galih", "Irfan", "Jefri", "Nur", "Rohmad", "Syaiful", "Zainal", "Miftahul", "Bagus",
    ];

    /// <summary>Male second names.</summary>
    public static readonly string[] MaleLast =
    [
        "Santoso", "Setiawan", "Prasetyo", "Wibowo", "Hidayat", "Susanto", "Purnomo", "Nugroho", "Saputra",
        "Kurniawan", "Hartono", "Wijaya", "Effendi", "Mustofa", "Hakim", "Rahman", "Syaifudin", "Fauzi",
        "Ariyanto", "Suprapto", "Sutikno", "Rochim", "Wahyudi", "Harianto", "Firmansyah", "Anshori",
        "Hermawan", "Sulistyo", "Widodo", "Junaedi", "Hariyadi", "Supriyanto", "Kholiq", "Asrori", "Mujib",
    ];

    /// <summary>Female given names.</summary>
    public static readonly string[] FemaleFirst =
    [
        "Sri", "Siti", "Dewi", "Endang", "Tri", "Rina", "Yuli", "Lestari", "Wulan", "Ayu", "Fitri", "Indah",
        "Ratna", "Nanik", "Kartini", "Anik", "Dian", "Novi", "Puji", "Laila", "Nurul", "Umi", "Lilik",
        "Erna", "Yayuk", "Retno", "Heni", "Tutik", "Wiwik", "Khusnul", "Anis", "Maya", "Putri", "Devi",
        "Nita", "Yeni", "Ika", "Mega", "Evi", "Rini", "Dwi", "Eka", "Sofia", "Arum", "Nur",
    ];

    /// <summary>Female second names.</summary>
    public static readonly string[] FemaleLast =
    [
        "Wahyuni", "Lestari", "Rahayu", "Handayani", "Purwanti", "Wulandari", "Susanti", "Kurniasih",
        "Mulyani", "Rahmawati", "Setyowati", "Pratiwi", "Ningsih", "Sulistyowati", "Astuti", "Yuliana",
        "Indriani", "Fitriani", "Safitri", "Anggraini", "Maulidiyah", "Hidayati", "Khoiriyah", "Nurhayati",
        "Puspitasari", "Wijayanti", "Kusumawati", "Ernawati", "Susilowati", "Aminah", "Mardiyah", "Zulaikha",
    ];

    /// <summary>Older single-word Javanese names (male).</summary>
    public static readonly string[] MaleSingle =
        ["Sutrisno", "Suparno", "Sunarto", "Supriyadi", "Suwito", "Triyono", "Kasmuri", "Warsito", "Darmaji", "Tarmuji", "Darsono", "Marsudi", "Kusnadi", "Sholikin"];

    /// <summary>Older single-word Javanese names (female).</summary>
    public static readonly string[] FemaleSingle =
        ["Sumarni", "Suwarni", "Sulastri", "Mujiati", "Winarti", "Kasiyem", "Paini", "Sumiati", "Karsini", "Ngatini", "Suparmi", "Warsini", "Sukarti", "Tumini"];

    /// <summary>Shop epithets (what a Javanese shop is often called after).</summary>
    public static readonly string[] Epithets =
    [
        "Barokah", "Berkah", "Sumber Rejeki", "Makmur", "Sido Mulyo", "Sido Rukun", "Lancar Jaya", "Jaya Abadi",
        "Sinar Jaya", "Amanah", "Al-Ikhlas", "Mekar Sari", "Sri Rejeki", "Sekar Arum", "Mandiri", "Maju Jaya",
        "Dua Putri", "Tiga Saudara", "Putra", "Anugerah", "Rizki", "Mulya", "Sejahtera", "Harapan", "Ngudi Rejeki",
    ];

    /// <summary>Dishes of a warung or a food stall.</summary>
    public static readonly string[] Dishes =
    [
        "Soto Ayam", "Soto Daging", "Nasi Pecel", "Pecel Lele", "Bakso", "Mie Ayam", "Nasi Goreng", "Sate Ayam",
        "Sate Kambing", "Rawon", "Lontong Tahu", "Tahu Campur", "Nasi Buwuhan", "Ayam Geprek", "Es Dawet",
        "Es Degan", "Wedang Jahe", "Gorengan", "Martabak", "Terang Bulan", "Nasi Campur", "Penyetan", "Gule Kambing",
        "Kopi", "Angkringan", "Bubur Ayam", "Nasi Kuning", "Tahu Tek", "Rujak", "Es Teh",
    ];

    /// <summary>The honorific a food stall is named with, by owner gender (true = female).</summary>
    public static string Honorific(bool female, ref DemoRandom random) =>
        female ? random.Pick(FemaleHonorifics) : random.Pick(MaleHonorifics);

    private static readonly string[] FemaleHonorifics = ["Bu", "Bu", "Mbak", "Mbok"];
    private static readonly string[] MaleHonorifics = ["Pak", "Pak", "Cak", "Mas"];

    /// <summary>Kinds of shop for daily needs.</summary>
    public static readonly string[] DailyNeedsShops =
        ["Toko", "Toko", "Toko Kelontong", "Pracangan", "Warung Sembako", "Toko Sayur", "Toko Buah", "Agen Gas dan Air", "Toko Pertanian", "Toko Jilbab"];

    /// <summary>Kinds of service business.</summary>
    public static readonly string[] ServiceKinds =
    [
        "Laundry", "Penjahit", "Bengkel Motor", "Pangkas Rambut", "Salon", "Fotokopi", "Service HP", "Percetakan",
        "Cuci Motor", "Servis Elektronik", "Rias Pengantin", "Jasa Print dan Jilid", "Tambal Ban", "Sablon Kaos",
    ];

    /// <summary>IKM products made anywhere in the regency.</summary>
    public static readonly string[] IkmProducts =
    [
        "Keripik Tempe", "Kerupuk", "Madu Hutan", "Kopi Bubuk", "Jenang", "Roti dan Kue", "Sambal Pecel", "Tempe",
        "Tahu", "Jamu", "Kacang Mete", "Keripik Singkong", "Kue Kering", "Rengginang", "Abon", "Ledre",
    ];

    /// <summary>Products a kecamatan is known for, by kecamatan suffix.</summary>
    public static readonly Dictionary<string, string[]> Specialties = new()
    {
        ["19"] = ["Ledre", "Ledre Pisang"],                       // Padangan, home of ledre
        ["14"] = ["Olahan Salak Wedi", "Dodol Salak", "Keripik Salak"], // Kapas, salak Wedi
        ["16"] = ["Sirup Belimbing", "Manisan Belimbing"],         // Kalitidu, belimbing
        ["17"] = ["Gerabah", "Gerabah Hias"],                      // Malo, pottery
        ["15"] = ["Batik Jonegoroan", "Wayang Thengul"],           // the town
    };

    /// <summary>Crafts.</summary>
    public static readonly string[] Crafts =
        ["Batik Jonegoroan", "Batik Jonegoroan", "Batik Tulis", "Kerajinan Kayu Jati", "Kerajinan Akar Jati", "Wayang Thengul", "Anyaman Bambu", "Gerabah", "Souvenir"];

    /// <summary>Batik Jonegoroan motifs.</summary>
    public static readonly string[] BatikMotifs =
        ["Sekar Jati", "Parang Dahana Munggal", "Gastro Rinumpuk", "Mliwis Mukti", "Pari Sumilak", "Jagung Miji Emas", "Sata Ganda Wangi", "Rancak Thengul", "Obor Sewu"];

    /// <summary>Streets of the town kecamatan.</summary>
    public static readonly string[] TownStreets =
    [
        "Jl. Panglima Sudirman", "Jl. Veteran", "Jl. Teuku Umar", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. MH Thamrin",
        "Jl. Untung Suropati", "Jl. Rajekwesi", "Jl. Basuki Rahmat", "Jl. Hayam Wuruk", "Jl. Imam Bonjol", "Jl. Pemuda",
        "Jl. Lettu Suwolo", "Jl. Mastrip", "Jl. Dr. Wahidin", "Jl. Trunojoyo", "Jl. Pattimura", "Jl. Ahmad Yani",
        "Jl. Kartini", "Jl. KH Hasyim Asyari", "Jl. Pahlawan", "Jl. Sawunggaling",
    ];

    /// <summary>Streets and hamlet descriptions outside the town.</summary>
    public static readonly string[] VillageStreets = ["Jl. Raya", "Jl. Desa", "Jl. Pasar", "Jl. Masjid", "Jl. Balai Desa", "Dusun Krajan", "Dusun Kidul", "Dusun Lor", "Dusun Wetan", "Dusun Kulon"];

    /// <summary>Reasons a verifier gives.</summary>
    public static readonly string[] VerificationReasons =
    [
        "Verifikasi lapangan Dindagkop UM, NIB sesuai OSS",
        "Verifikasi dokumen dan kunjungan lokasi usaha",
        "Usaha aktif, lokasi dan foto tempat usaha sesuai",
        "Verifikasi oleh pendamping UMKM kecamatan",
    ];

    /// <summary>Reasons a merchant is suspended.</summary>
    public static readonly string[] SuspensionReasons =
    [
        "Tempat usaha tidak ditemukan saat verifikasi ulang",
        "Nota tidak sesuai dengan lokasi usaha",
        "Terindikasi transaksi fiktif, dalam pemeriksaan Inspektorat",
        "Usaha tutup sementara atas permintaan pemilik",
        "Terindikasi bagian dari jaringan waralaba",
    ];

    /// <summary>Reasons a merchant is reinstated.</summary>
    public static readonly string[] ReinstatementReasons =
    [
        "Usaha kembali buka, diverifikasi ulang",
        "Hasil pemeriksaan: transaksi sah",
        "Bukti lokasi usaha telah dilengkapi",
    ];

    /// <summary>What the registration is recorded with.</summary>
    public const string RegistrationReason = "Pendaftaran pelaku usaha melalui e-Bakul";

    /// <summary>
    /// The regency's offices (OPD) with a relative headcount weight and the kecamatan their staff work in
    /// (suffix). Codes follow the urusan numbering (1.02 health, 7.01 kecamatan …). The 28 Kecamatan
    /// offices are added by <see cref="Offices"/>.
    /// </summary>
    private static readonly (string Code, string Name, string Kecamatan, double Weight)[] OpdList =
    [
        ("1.01.01", "Dinas Pendidikan", "15", 3.0),
        ("1.02.01", "Dinas Kesehatan", "15", 14.0),
        ("1.02.02", "RSUD Dr. R. Sosodoro Djatikoesoemo", "15", 10.0),
        ("1.02.03", "RSUD Padangan", "19", 3.0),
        ("1.02.04", "RSUD Sumberrejo", "12", 2.5),
        ("1.02.05", "RSUD Kepohbaru", "09", 2.0),
        ("1.03.01", "Dinas Pekerjaan Umum Bina Marga dan Penataan Ruang", "15", 2.5),
        ("1.03.02", "Dinas Pekerjaan Umum Sumber Daya Air", "15", 2.0),
        ("1.04.01", "Dinas Perumahan, Kawasan Permukiman dan Cipta Karya", "15", 1.5),
        ("1.05.01", "Satuan Polisi Pamong Praja", "15", 2.5),
        ("1.05.02", "Badan Penanggulangan Bencana Daerah", "15", 0.8),
        ("1.06.01", "Dinas Sosial", "15", 1.2),
        ("2.07.01", "Dinas Perindustrian dan Tenaga Kerja", "15", 1.2),
        ("2.08.01", "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana", "15", 1.5),
        ("2.09.01", "Dinas Ketahanan Pangan dan Pertanian", "15", 4.0),
        ("2.11.01", "Dinas Lingkungan Hidup", "15", 2.0),
        ("2.12.01", "Dinas Kependudukan dan Pencatatan Sipil", "15", 1.5),
        ("2.13.01", "Dinas Pemberdayaan Masyarakat dan Desa", "15", 1.2),
        ("2.15.01", "Dinas Perhubungan", "15", 2.0),
        ("2.16.01", "Dinas Komunikasi dan Informatika", "15", 1.0),
        ("2.17.01", "Dinas Perdagangan, Koperasi dan Usaha Mikro", "15", 1.5),
        ("2.18.01", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "15", 1.0),
        ("2.19.01", "Dinas Kepemudaan dan Olahraga", "15", 0.8),
        ("2.22.01", "Dinas Kebudayaan dan Pariwisata", "15", 1.0),
        ("2.23.01", "Dinas Perpustakaan dan Kearsipan", "15", 0.8),
        ("3.25.01", "Dinas Peternakan dan Perikanan", "15", 2.0),
        ("4.01.01", "Sekretariat Daerah", "15", 4.0),
        ("4.02.01", "Sekretariat DPRD", "15", 1.2),
        ("5.01.01", "Badan Perencanaan Pembangunan Daerah", "15", 1.0),
        ("5.02.01", "Badan Pengelolaan Keuangan dan Aset Daerah", "15", 1.5),
        ("5.02.02", "Badan Pendapatan Daerah", "15", 1.5),
        ("5.03.01", "Badan Kepegawaian Daerah", "15", 1.0),
        ("6.01.01", "Inspektorat", "15", 1.2),
        ("8.01.01", "Badan Kesatuan Bangsa dan Politik", "15", 0.6),
    ];

    /// <summary>Offices whose TPP is set higher for their workload (beban kerja).</summary>
    public static readonly HashSet<string> HigherTppOffices = ["6.01.01", "5.02.01", "5.02.02", "5.01.01"];

    /// <summary>Health offices (their staff carry health titles).</summary>
    public static bool IsHealthOffice(string code) => code.StartsWith("1.02.", StringComparison.Ordinal);

    /// <summary>Every office of the regency <paramref name="regencyCode"/> with its headcount weight; kecamatan names come from the reference list.</summary>
    public static IReadOnlyList<(DemoOffice Office, double Weight)> Offices(string regencyCode, IReadOnlyList<(string Code, string Name)> kecamatan)
    {
        var offices = OpdList.Select(o => (new DemoOffice(o.Code, o.Name, $"{regencyCode}.{o.Kecamatan}"), o.Weight)).ToList();
        foreach (var (code, name) in kecamatan)
            offices.Add((new DemoOffice($"7.01.{code[^2..]}", $"Kecamatan {name}", code), 0.9));
        return offices;
    }

    /// <summary>Merchant categories as the reports weigh them: food and drink dominate.</summary>
    public static readonly (MerchantCategory, double)[] CategoryWeights =
    [
        (MerchantCategory.FoodAndDrink, 48), (MerchantCategory.DailyNeeds, 24), (MerchantCategory.Services, 14),
        (MerchantCategory.IkmProduct, 9), (MerchantCategory.Craft, 5),
    ];

    /// <summary>Business scales: mostly ultra-micro and micro.</summary>
    public static readonly (MerchantScale, double)[] ScaleWeights =
    [
        (MerchantScale.UltraMicro, 62), (MerchantScale.Micro, 30), (MerchantScale.Small, 6.5), (MerchantScale.Medium, 1.5),
    ];

    /// <summary>Kelas jabatan 1-17, weighted to the middle.</summary>
    public static readonly (int, double)[] KelasWeights =
    [
        (1, 1), (2, 2), (3, 4), (4, 6), (5, 8), (6, 12), (7, 16), (8, 16), (9, 14), (10, 9), (11, 6), (12, 3),
        (13, 1.5), (14, 0.8), (15, 0.3), (16, 0.15), (17, 0.05),
    ];

    /// <summary>Bachelor degrees by field.</summary>
    public static readonly string[] Degrees = ["S.E.", "S.Sos.", "S.H.", "S.Kom.", "S.T.", "S.Pd.", "S.AP.", "S.IP.", "S.Ak.", "S.P."];

    /// <summary>Health degrees.</summary>
    public static readonly string[] HealthDegrees = ["S.Kep., Ns.", "S.KM.", "S.Farm., Apt.", "S.Gz.", "A.Md.Kep.", "A.Md.Keb.", "A.Md.Kes."];

    /// <summary>Master degrees.</summary>
    public static readonly string[] MasterDegrees = ["M.Si.", "M.M.", "M.AP.", "M.Pd.", "M.H.", "M.T."];
}
