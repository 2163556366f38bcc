namespace EBakul.Hub.DemoData;

/// <summary>Demo data settings (configuration section <c>DemoData</c>).</summary>
public sealed class DemoDataOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "DemoData";

    /// <summary>Load demo data on start when the database has no merchants yet.</summary>
    public bool Enabled { get; set; }

    /// <summary>Merchants to generate (Bojonegoro has 91,751 UMKM).</summary>
    public int Merchants { get; set; } = 5000;

    /// <summary>Employees to generate (Bojonegoro has 8,470 non-teacher ASN and PPPK).</summary>
    public int Employees { get; set; } = 8470;

    /// <summary>
    /// Regencies to generate, each of <see cref="Merchants"/> merchants and <see cref="Employees"/> employees shaped like
    /// Bojonegoro: Bojonegoro first, then the other regencies of Jawa Timur in kode wilayah order (1 to 38;
    /// <see cref="DemoRegencies"/>). Default 1: Bojonegoro alone.
    /// </summary>
    public int Regencies { get; set; } = 1;

    /// <summary>Average purchases per employee in the generated month.</summary>
    public int PurchasesPerEmployee { get; set; } = 6;

    /// <summary>Random seed: the same seed gives the same data.</summary>
    public int Seed { get; set; } = 35;

    /// <summary>
    /// The month the purchases happen in, "YYYY-MM" (Asia/Jakarta). Empty: the month before the current one.
    /// It must not be after the current month; in the current month no purchase is later than now.
    /// </summary>
    public string? Period { get; set; }

    /// <summary>
    /// Plant known arranged purchases of every integrity signal's kind among the ordinary ones, with honest look-alikes (an
    /// office canteen, a popular warung near a big office, a payday rush, a month-end payer who does it once, a new merchant
    /// many people buy from). <see cref="DemoDataGenerator.PlantedCases"/> lists them; docs/integrity.md has the measurement.
    /// </summary>
    public bool PlantIntegrityCases { get; set; }

    /// <summary>Arranged cases planted of each kind (look-alikes: a third as many of each). Default 10.</summary>
    public int PlantedCasesPerKind { get; set; } = 10;

    /// <summary>Rows generated per chunk, one chunk ahead of the inserts (the whole load is one transaction).</summary>
    public int RowsPerWrite { get; set; } = 5000;
}
