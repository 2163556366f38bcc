using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ComplianceSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "compliance_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    regency_code = table.Column<string>(type: "TEXT", nullable: true),
                    nip = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_compliance_changes", x => x.id);
                });

            // WITHOUT ROWID (what EF's CreateTable cannot say), as the report aggregates: a month's rows lie together, office by
            // office, so the sums by office read them in key order without a sort.
            migrationBuilder.Sql(
                "CREATE TABLE compliance_employee_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, nip TEXT NOT NULL, office_code TEXT NOT NULL, outcome INTEGER NOT NULL, required_rupiah INTEGER NOT NULL, counted_rupiah INTEGER NOT NULL, remaining_rupiah INTEGER NOT NULL, projected_correction_rupiah INTEGER NOT NULL, CONSTRAINT pk_compliance_employee_months PRIMARY KEY (regency_code, period_key, office_code, nip)) WITHOUT ROWID");
            migrationBuilder.CreateIndex(
                name: "ix_compliance_employee_months_regency_code_period_key_nip",
                table: "compliance_employee_months",
                columns: new[] { "regency_code", "period_key", "nip" });

            migrationBuilder.CreateTable(
                name: "compliance_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    policy_version = table.Column<int>(type: "INTEGER", nullable: false),
                    ledger_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    change_id = table.Column<long>(type: "INTEGER", nullable: false),
                    refreshed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_compliance_months", x => new { x.regency_code, x.period_key });
                });

            // Every write that changes a quota evaluation other than through the ledger appends what it concerns to
            // compliance_changes, in its own transaction (ComplianceSnapshots): an employee (roster row, status timeline,
            // assignments, exemptions), the buyers of a merchant (status, category, scale), a regency (quota policies).
            foreach (var trigger in ComplianceTriggers) migrationBuilder.Sql(trigger);

            // The months of an existing ledger, to be evaluated once in the background at the next start
            // (policy version 0: never built; DatabaseInitializer).
            migrationBuilder.Sql(
                "INSERT INTO compliance_months (regency_code, period_key, policy_version, ledger_sequence, change_id, refreshed_at) " +
                "SELECT DISTINCT regency_code, period_key, 0, 0, 0, 0 FROM ledger_entries");
        }

        /// <summary>The triggers that append to compliance_changes.</summary>
        private static readonly string[] ComplianceTriggers =
        [
            "CREATE TRIGGER employees_compliance_changes AFTER INSERT ON employees BEGIN INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employees_compliance_changes_update AFTER UPDATE ON employees BEGIN INSERT INTO compliance_changes (nip) SELECT OLD.nip WHERE OLD.nip <> NEW.nip; INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employees_compliance_changes_delete AFTER DELETE ON employees BEGIN INSERT INTO compliance_changes (nip) VALUES (OLD.nip); END",
            "CREATE TRIGGER employee_status_changes_compliance_changes AFTER INSERT ON employee_status_changes BEGIN INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employee_status_changes_compliance_changes_update AFTER UPDATE ON employee_status_changes BEGIN INSERT INTO compliance_changes (nip) SELECT OLD.nip WHERE OLD.nip <> NEW.nip; INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employee_status_changes_compliance_changes_delete AFTER DELETE ON employee_status_changes BEGIN INSERT INTO compliance_changes (nip) VALUES (OLD.nip); END",
            "CREATE TRIGGER employee_assignments_compliance_changes AFTER INSERT ON employee_assignments BEGIN INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employee_assignments_compliance_changes_update AFTER UPDATE ON employee_assignments BEGIN INSERT INTO compliance_changes (nip) SELECT OLD.nip WHERE OLD.nip <> NEW.nip; INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER employee_assignments_compliance_changes_delete AFTER DELETE ON employee_assignments BEGIN INSERT INTO compliance_changes (nip) VALUES (OLD.nip); END",
            "CREATE TRIGGER quota_exemptions_compliance_changes AFTER INSERT ON quota_exemptions BEGIN INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER quota_exemptions_compliance_changes_update AFTER UPDATE ON quota_exemptions BEGIN INSERT INTO compliance_changes (nip) SELECT OLD.nip WHERE OLD.nip <> NEW.nip; INSERT INTO compliance_changes (nip) VALUES (NEW.nip); END",
            "CREATE TRIGGER quota_exemptions_compliance_changes_delete AFTER DELETE ON quota_exemptions BEGIN INSERT INTO compliance_changes (nip) VALUES (OLD.nip); END",
            "CREATE TRIGGER quota_policies_compliance_changes AFTER INSERT ON quota_policies BEGIN INSERT INTO compliance_changes (regency_code) VALUES (NEW.regency_code); END",
            "CREATE TRIGGER quota_policies_compliance_changes_update AFTER UPDATE ON quota_policies BEGIN INSERT INTO compliance_changes (regency_code) VALUES (NEW.regency_code); END",
            "CREATE TRIGGER quota_policies_compliance_changes_delete AFTER DELETE ON quota_policies BEGIN INSERT INTO compliance_changes (regency_code) VALUES (OLD.regency_code); END",
            "CREATE TRIGGER merchant_status_changes_compliance_changes AFTER INSERT ON merchant_status_changes BEGIN INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = NEW.merchant_id) AND e.merchant_id = NEW.merchant_id; END",
            "CREATE TRIGGER merchant_status_changes_compliance_changes_update AFTER UPDATE ON merchant_status_changes BEGIN INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = OLD.merchant_id) AND e.merchant_id = OLD.merchant_id; INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = NEW.merchant_id) AND e.merchant_id = NEW.merchant_id; END",
            "CREATE TRIGGER merchant_status_changes_compliance_changes_delete AFTER DELETE ON merchant_status_changes BEGIN INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = OLD.merchant_id) AND e.merchant_id = OLD.merchant_id; END",
            "CREATE TRIGGER merchants_compliance_changes AFTER UPDATE OF category, scale ON merchants WHEN OLD.category <> NEW.category OR OLD.scale <> NEW.scale BEGIN INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = NEW.id) AND e.merchant_id = NEW.id; END",
        ];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "employees_compliance_changes", "employees_compliance_changes_update", "employees_compliance_changes_delete", "employee_status_changes_compliance_changes", "employee_status_changes_compliance_changes_update", "employee_status_changes_compliance_changes_delete", "employee_assignments_compliance_changes", "employee_assignments_compliance_changes_update", "employee_assignments_compliance_changes_delete", "quota_exemptions_compliance_changes", "quota_exemptions_compliance_changes_update", "quota_exemptions_compliance_changes_delete", "quota_policies_compliance_changes", "quota_policies_compliance_changes_update", "quota_policies_compliance_changes_delete", "merchant_status_changes_compliance_changes", "merchant_status_changes_compliance_changes_update", "merchant_status_changes_compliance_changes_delete", "merchants_compliance_changes" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger}");

            migrationBuilder.DropTable(
                name: "compliance_changes");

            migrationBuilder.DropTable(
                name: "compliance_employee_months");

            migrationBuilder.DropTable(
                name: "compliance_months");
        }
    }
}
