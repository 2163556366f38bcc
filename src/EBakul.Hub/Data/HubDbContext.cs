using System.Text;
using EBakul.Hub.Access;
using EBakul.Hub.Audit;
using EBakul.Hub.Domain.Integrity;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Domain.Roster;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EBakul.Hub.Data;

/// <summary>
/// The hub's database. Table and column names are snake_case so that the hand-written SQL of the hot
/// paths reads like the schema. Instants are stored as Unix milliseconds (sortable integers). On PostgreSQL the hub uses
/// <see cref="Postgres.PostgresHubDbContext"/>, the same model with its own migrations.
/// </summary>
public class HubDbContext : DbContext
{
    /// <summary>A context on SQLite (or on what the options name).</summary>
    public HubDbContext(DbContextOptions<HubDbContext> options) : base(options)
    {
    }

    /// <summary>For a store's own context type (its migrations are found by that type).</summary>
    protected HubDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>Regencies served.</summary>
    public DbSet<Regency> Regencies => Set<Regency>();
    /// <summary>Kecamatan of every regency.</summary>
    public DbSet<Kecamatan> Kecamatan => Set<Kecamatan>();
    /// <summary>Merchant registry.</summary>
    public DbSet<Merchant> Merchants => Set<Merchant>();
    /// <summary>Merchant status history.</summary>
    public DbSet<MerchantStatusChange> MerchantStatusChanges => Set<MerchantStatusChange>();
    /// <summary>Merchants' earlier categories and scales.</summary>
    public DbSet<MerchantAttributeChange> MerchantAttributeChanges => Set<MerchantAttributeChange>();
    /// <summary>Offices (OPD).</summary>
    public DbSet<Office> Offices => Set<Office>();
    /// <summary>Employee roster.</summary>
    public DbSet<Employee> Employees => Set<Employee>();
    /// <summary>Employee status timeline.</summary>
    public DbSet<EmployeeStatusChange> EmployeeStatusChanges => Set<EmployeeStatusChange>();
    /// <summary>Employees' assignments over time (office, class, TPP ceiling).</summary>
    public DbSet<EmployeeAssignment> EmployeeAssignments => Set<EmployeeAssignment>();
    /// <summary>The purchase ledger.</summary>
    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();
    /// <summary>Receipt claims.</summary>
    public DbSet<ReceiptClaim> ReceiptClaims => Set<ReceiptClaim>();
    /// <summary>Registered calling systems.</summary>
    public DbSet<Caller> Callers => Set<Caller>();
    /// <summary>Their bearer credentials (hashed).</summary>
    public DbSet<CallerCredential> CallerCredentials => Set<CallerCredential>();
    /// <summary>Clients of token issuers the hub refuses (the deny list).</summary>
    public DbSet<DeniedClient> DeniedClients => Set<DeniedClient>();
    /// <summary>The audit trail.</summary>
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    /// <summary>State of each month that was ever closed.</summary>
    public DbSet<PeriodState> PeriodStates => Set<PeriodState>();
    /// <summary>Frozen per-employee results of each close.</summary>
    public DbSet<PeriodResult> PeriodResults => Set<PeriodResult>();
    /// <summary>Payroll adjustments.</summary>
    public DbSet<PayrollAdjustment> PayrollAdjustments => Set<PayrollAdjustment>();
    /// <summary>Delivery (outbox) of each adjustment.</summary>
    public DbSet<AdjustmentDelivery> AdjustmentDeliveries => Set<AdjustmentDelivery>();
    /// <summary>Idempotency records.</summary>
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    /// <summary>Quota policy versions.</summary>
    public DbSet<QuotaPolicy> QuotaPolicies => Set<QuotaPolicy>();
    /// <summary>Explicit quota exemptions.</summary>
    public DbSet<QuotaExemption> QuotaExemptions => Set<QuotaExemption>();
    /// <summary>Disputes of adjustment revisions.</summary>
    public DbSet<AdjustmentDispute> AdjustmentDisputes => Set<AdjustmentDispute>();
    /// <summary>Report aggregates: merchants per month.</summary>
    public DbSet<ReportMerchantMonth> ReportMerchantMonths => Set<ReportMerchantMonth>();
    /// <summary>Report aggregates: employee and merchant per month.</summary>
    public DbSet<ReportBuyerMerchantMonth> ReportBuyerMerchantMonths => Set<ReportBuyerMerchantMonth>();
    /// <summary>Report aggregates: office and merchant per month.</summary>
    public DbSet<ReportOfficeMerchantMonth> ReportOfficeMerchantMonths => Set<ReportOfficeMerchantMonth>();
    /// <summary>Report aggregates: office groups per month.</summary>
    public DbSet<ReportOfficeGroupMonth> ReportOfficeGroupMonths => Set<ReportOfficeGroupMonth>();
    /// <summary>Regencies whose report aggregates are to be rebuilt.</summary>
    public DbSet<ReportRebuild> ReportRebuilds => Set<ReportRebuild>();
    /// <summary>Compliance snapshot: each employee's evaluation of a month.</summary>
    public DbSet<ComplianceEmployeeMonth> ComplianceEmployeeMonths => Set<ComplianceEmployeeMonth>();
    /// <summary>Compliance snapshot: how far each regency's month is refreshed.</summary>
    public DbSet<ComplianceMonth> ComplianceMonths => Set<ComplianceMonth>();
    /// <summary>Compliance snapshot: the employees' evaluations summed per office.</summary>
    public DbSet<ComplianceOfficeMonth> ComplianceOfficeMonths => Set<ComplianceOfficeMonth>();
    /// <summary>Compliance snapshot: writes that change evaluations other than through the ledger.</summary>
    public DbSet<ComplianceChange> ComplianceChanges => Set<ComplianceChange>();
    /// <summary>Inspectors' reviews of integrity signals.</summary>
    public DbSet<IntegrityReview> IntegrityReviews => Set<IntegrityReview>();

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Regency>(e =>
        {
            e.ToTable("regencies");
            e.HasKey(x => x.Code);
        });
        model.Entity<Kecamatan>(e =>
        {
            e.ToTable("kecamatan");
            e.HasKey(x => x.Code);
            e.HasIndex(x => x.RegencyCode);
        });
        model.Entity<Merchant>(e =>
        {
            e.ToTable("merchants", t => t.HasTrigger("merchants_compliance_changes"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RegencyCode, x.Nib }).IsUnique();
            e.HasIndex(x => x.QrisNmid).IsUnique();
            e.HasIndex(x => new { x.RegencyCode, x.KecamatanCode, x.Status });
            e.HasIndex(x => new { x.RegencyCode, x.Status, x.Category });
            // ListMerchants' order: a page reads its rows, not the regency's registry sorted.
            e.HasIndex(x => new { x.RegencyCode, x.Id });
            e.HasIndex(x => new { x.Latitude, x.Longitude });
        });
        model.Entity<MerchantStatusChange>(e =>
        {
            e.ToTable("merchant_status_changes", t => t.HasTrigger("merchant_status_changes_compliance_changes"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.MerchantId, x.EffectiveAt });
        });
        model.Entity<MerchantAttributeChange>(e =>
        {
            e.ToTable("merchant_attribute_changes");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.MerchantId, x.Id });
        });
        model.Entity<Office>(e =>
        {
            e.ToTable("offices");
            e.HasKey(x => new { x.RegencyCode, x.Code });
        });
        model.Entity<Employee>(e =>
        {
            e.ToTable("employees", t => t.HasTrigger("employees_compliance_changes"));
            e.HasKey(x => x.Nip);
            e.HasIndex(x => new { x.RegencyCode, x.OfficeCode });
            e.HasIndex(x => new { x.RegencyCode, x.Nip });
        });
        model.Entity<EmployeeStatusChange>(e =>
        {
            e.ToTable("employee_status_changes", t => t.HasTrigger("employee_status_changes_compliance_changes"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Nip, x.EffectiveDate });
        });
        model.Entity<EmployeeAssignment>(e =>
        {
            e.ToTable("employee_assignments", t => t.HasTrigger("employee_assignments_compliance_changes"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Nip, x.EffectivePeriodKey, x.EffectiveDate });
            // Which employees an office ever had: an office's view of the ledger (docs/access.md).
            e.HasIndex(x => new { x.OfficeCode, x.Nip });
        });
        model.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger_entries");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            // Only reversals have the column; purchases (nearly every row) stay out of the index.
            e.HasIndex(x => x.ReversesEntryId).IsUnique().HasFilter("reverses_entry_id IS NOT NULL");
            // The month's evaluation reads this index alone, already in (employee, merchant) order: it aggregates
            // without a sort and without touching the table, whatever the size of the month.
            // It also finds an employee's entries (one seek per month, PurchaseLedger.ListAsync): no index by employee alone.
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.EmployeeNip, x.MerchantId, x.OccurredAt, x.AmountRupiah });
            e.HasIndex(x => new { x.RegencyCode, x.MerchantId, x.Sequence });
            e.HasIndex(x => new { x.RegencyCode, x.OfficeCode, x.Sequence });
            e.HasIndex(x => new { x.RegencyCode, x.Sequence });
        });
        model.Entity<ReceiptClaim>(e =>
        {
            e.ToTable("receipt_claims");
            e.HasKey(x => new { x.MerchantId, x.ReceiptReference });
        });
        model.Entity<Caller>(e =>
        {
            e.ToTable("callers");
            e.HasKey(x => x.Id);
        });
        model.Entity<CallerCredential>(e =>
        {
            e.ToTable("caller_credentials");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.CallerId);
        });
        model.Entity<DeniedClient>(e =>
        {
            e.ToTable("denied_clients");
            e.HasKey(x => new { x.Issuer, x.ClientId });
        });
        model.Entity<AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedNever();
            e.HasIndex(x => new { x.RegencyCode, x.Sequence });
        });
        model.Entity<PeriodState>(e =>
        {
            e.ToTable("period_states");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey });
        });
        // The four report aggregate tables are created WITHOUT ROWID by their SQLite migration (ReportAggregates): the key
        // is the table, so a month's rows are read in one pass and an upsert changes one b-tree.
        model.Entity<ReportMerchantMonth>(e =>
        {
            e.ToTable("report_merchant_months");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.MerchantId });
        });
        model.Entity<ReportBuyerMerchantMonth>(e =>
        {
            e.ToTable("report_buyer_merchant_months");
            // An office's rows together, each employee's together: a purchase reads its employee's month, an office's
            // report reads its office's range.
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.OfficeCode, x.EmployeeNip, x.MerchantId });
        });
        model.Entity<ReportOfficeMerchantMonth>(e =>
        {
            e.ToTable("report_office_merchant_months");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.OfficeCode, x.MerchantId });
        });
        model.Entity<ReportOfficeGroupMonth>(e =>
        {
            e.ToTable("report_office_group_months");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.OfficeCode, x.Dimension, x.GroupKey });
        });
        model.Entity<ReportRebuild>(e =>
        {
            e.ToTable("report_rebuilds");
            e.HasKey(x => x.RegencyCode);
        });
        // compliance_employee_months is WITHOUT ROWID in SQLite (migration ComplianceSnapshots), as the report aggregates.
        model.Entity<ComplianceEmployeeMonth>(e =>
        {
            e.ToTable("compliance_employee_months");
            // Office by office: the report's sums by office follow the key, an office's report reads its range.
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.OfficeCode, x.Nip });
            // A refresh replaces an employee's row whatever its office.
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.Nip });
        });
        model.Entity<ComplianceOfficeMonth>(e =>
        {
            e.ToTable("compliance_office_months");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.OfficeCode });
        });
        model.Entity<ComplianceMonth>(e =>
        {
            e.ToTable("compliance_months");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey });
        });
        model.Entity<ComplianceChange>(e =>
        {
            e.ToTable("compliance_changes");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
        });
        model.Entity<IntegrityReview>(e =>
        {
            e.ToTable("integrity_reviews");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.SignalId });
        });
        model.Entity<PeriodResult>(e =>
        {
            e.ToTable("period_results");
            e.HasKey(x => new { x.RegencyCode, x.PeriodKey, x.Revision, x.Nip });
        });
        model.Entity<PayrollAdjustment>(e =>
        {
            e.ToTable("payroll_adjustments");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => x.SupersedesKey).IsUnique();
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.Sequence });
            e.HasIndex(x => new { x.RegencyCode, x.Sequence });
        });
        model.Entity<AdjustmentDelivery>(e =>
        {
            e.ToTable("adjustment_deliveries");
            e.HasKey(x => x.AdjustmentId);
            e.HasIndex(x => new { x.State, x.NextAttemptAt });
        });
        model.Entity<AdjustmentDispute>(e =>
        {
            e.ToTable("adjustment_disputes");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.AdjustmentKey).IsUnique();
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.FiledAt });
        });
        model.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_records");
            e.HasKey(x => new { x.CallerId, x.RequestId });
        });
        model.Entity<QuotaPolicy>(e =>
        {
            e.ToTable("quota_policies", t => t.HasTrigger("quota_policies_compliance_changes"));
            e.HasKey(x => new { x.RegencyCode, x.Version });
            e.HasIndex(x => new { x.RegencyCode, x.EffectivePeriodKey });
            e.Ignore(x => x.EffectivePeriod);
        });
        model.Entity<QuotaExemption>(e =>
        {
            e.ToTable("quota_exemptions", t => t.HasTrigger("quota_exemptions_compliance_changes"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.Nip }).IsUnique().HasFilter("revoked_at IS NULL");
            e.HasIndex(x => new { x.RegencyCode, x.PeriodKey, x.Id });
        });

        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(ToSnakeCase(key.GetName()!));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
        }
    }

    /// <summary>"ReversesEntryId" → "reverses_entry_id".</summary>
    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    /// <summary>
    /// For <c>dotnet ef</c>: the SQLite context (migrations in <c>Data/Migrations</c>); without it the tools would build
    /// this context's model with <see cref="Postgres.PostgresHubDbContext"/>'s factory. Its connection is never opened.
    /// </summary>
    public sealed class SqliteDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<HubDbContext>
    {
        /// <inheritdoc />
        public HubDbContext CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<HubDbContext>().UseSqlite("Data Source=ebakul-design-time.db").Options);
    }
}
