using EBakul.Hub.Data;
using EBakul.Hub.DemoData;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Regions.V1;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.DemoData;

public sealed class DemoDataLoadTests : IDisposable
{
    private static readonly DemoDataOptions Options = new() { Merchants = 1500, Employees = 200, PurchasesPerEmployee = 5, Seed = 7, RowsPerWrite = 400 };

    private readonly string _path = HubFactory.NewDatabasePath();

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private HubFactory StartHub()
    {
        var hub = new HubFactory(_path);
        hub.Settings["DemoData:Enabled"] = "true";
        hub.Settings["DemoData:Merchants"] = Options.Merchants.ToString();
        hub.Settings["DemoData:Employees"] = Options.Employees.ToString();
        hub.Settings["DemoData:PurchasesPerEmployee"] = Options.PurchasesPerEmployee.ToString();
        hub.Settings["DemoData:Seed"] = Options.Seed.ToString();
        hub.Settings["DemoData:RowsPerWrite"] = Options.RowsPerWrite.ToString();
        _ = hub.Channel; // starts the host, which loads the demo data before serving
        return hub;
    }

    [Fact]
    public async Task A_hub_started_with_demo_data_holds_exactly_the_generated_rows()
    {
        using var hub = StartHub();
        var generator = new DemoDataGenerator(Options, HubFactory.DefaultNow);
        var expectedPurchases = generator.Purchases().ToList();
        var expectedStatusChanges = generator.Merchants().Sum(m => m.History.Count);
        var expectedEmployeeChanges = generator.Employees().Sum(e => e.History.Count);

        var regions = new RegionService.RegionServiceClient(hub.Channel);
        var kecamatan = await regions.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.22" });
        Assert.Equal(28, kecamatan.Kecamatan.Count);

        using var scope = hub.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        Assert.Equal(1500, await db.Merchants.CountAsync());
        Assert.Equal(expectedStatusChanges, await db.MerchantStatusChanges.CountAsync());
        Assert.Equal(generator.Offices.Count, await db.Offices.CountAsync());
        Assert.Equal(200, await db.Employees.CountAsync());
        Assert.Equal(expectedEmployeeChanges, await db.EmployeeStatusChanges.CountAsync());
        Assert.Equal(expectedPurchases.Count, await db.LedgerEntries.CountAsync());
        Assert.Equal(expectedPurchases.Count, await db.ReceiptClaims.CountAsync());
        Assert.Equal(expectedPurchases.Sum(p => p.AmountRupiah), await db.LedgerEntries.SumAsync(e => e.AmountRupiah));

        // Every kecamatan has merchants; the rows read back through the EF model.
        Assert.Equal(28, await db.Merchants.Select(m => m.KecamatanCode).Distinct().CountAsync());
        var merchants = await db.Merchants.AsNoTracking().ToDictionaryAsync(m => m.Id);
        Assert.All(merchants.Values, m => Assert.Matches("^[0-9a-f]{32}$", m.Id));
        Assert.All(merchants.Values, m => Assert.True(m.CreatedAt <= m.UpdatedAt));
        var history = await db.MerchantStatusChanges.AsNoTracking().ToListAsync();
        Assert.All(history.GroupBy(h => h.MerchantId), g =>
        {
            var last = g.OrderBy(h => h.EffectiveAt).Last();
            Assert.Equal(merchants[g.Key].Status, last.Status);
            Assert.Equal(merchants[g.Key].UpdatedAt, last.EffectiveAt);
            Assert.All(g, h => Assert.Equal(DemoDataGenerator.RecordedBy, h.ChangedBy));
        });

        var employees = await db.Employees.AsNoTracking().ToDictionaryAsync(e => e.Nip);
        Assert.All(employees.Values, e => Assert.Equal("35.22", e.RegencyCode));
        var offices = await db.Offices.AsNoTracking().Select(o => o.Code).ToListAsync();
        Assert.All(employees.Values, e => Assert.Contains(e.OfficeCode, offices));

        var entries = await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        var claims = await db.ReceiptClaims.AsNoTracking().ToDictionaryAsync(c => (c.MerchantId, c.ReceiptReference), c => c.EntryId);
        foreach (var entry in entries)
        {
            Assert.Equal(EntryKind.Purchase, entry.Kind);
            Assert.Equal(202509, entry.PeriodKey);
            Assert.Equal(DemoDataGenerator.RecordedBy, entry.RecordedBy);
            Assert.Equal(HubFactory.DefaultNow, entry.RecordedAt);
            Assert.Equal(MerchantStatus.Active, merchants[entry.MerchantId].Status);
            Assert.Equal(employees[entry.EmployeeNip].OfficeCode, entry.OfficeCode);
            Assert.Equal(entry.Id, claims[(entry.MerchantId, entry.ReceiptReference)]);
        }
        Assert.Equal(expectedPurchases.Select(p => (p.EmployeeNip, p.AmountRupiah, p.OccurredAt, p.ReceiptReference)),
            entries.Select(e => (e.EmployeeNip, e.AmountRupiah, e.OccurredAt, e.ReceiptReference)));

        // The load drops the loaded tables' indexes and builds them again: the schema ends exactly as migrated.
        string emptyPath = HubFactory.NewDatabasePath();
        try
        {
            using (var empty = new HubFactory(emptyPath)) _ = empty.Channel;
            Assert.Equal(Indexes(emptyPath), Indexes(_path));
        }
        finally
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(emptyPath + suffix);
        }
    }

    /// <summary>Every index of the database file with its definition, by name.</summary>
    private static List<string> Indexes(string path)
    {
        using var connection = TestStore.Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = TestStore.IsPostgres
            ? "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
            : "SELECT name || ': ' || coalesce(sql, '(primary key)') FROM sqlite_master WHERE type = 'index' ORDER BY name";
        using var reader = command.ExecuteReader();
        var indexes = new List<string>();
        while (reader.Read()) indexes.Add(reader.GetString(0));
        Assert.True(indexes.Count > 20, $"only {indexes.Count} indexes found");
        return indexes;
    }

    [Fact]
    public async Task Demo_data_is_loaded_only_into_an_empty_database()
    {
        int merchants, entries;
        using (var first = StartHub())
        {
            using var scope = first.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            merchants = await db.Merchants.CountAsync();
            entries = await db.LedgerEntries.CountAsync();
        }
        using var second = StartHub();
        using (var scope = second.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            Assert.Equal(merchants, await db.Merchants.CountAsync());
            Assert.Equal(entries, await db.LedgerEntries.CountAsync());
        }
    }
}
