using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    regency_code = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    nip = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_compliance_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "compliance_employee_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    outcome = table.Column<int>(type: "integer", nullable: false),
                    required_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    counted_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    remaining_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    projected_correction_rupiah = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_compliance_employee_months", x => new { x.regency_code, x.period_key, x.office_code, x.nip });
                });

            migrationBuilder.CreateIndex(
                name: "ix_compliance_employee_months_regency_code_period_key_nip",
                table: "compliance_employee_months",
                columns: new[] { "regency_code", "period_key", "nip" });

            migrationBuilder.CreateTable(
                name: "compliance_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    policy_version = table.Column<int>(type: "integer", nullable: false),
                    ledger_sequence = table.Column<long>(type: "bigint", nullable: false),
                    change_id = table.Column<long>(type: "bigint", nullable: false),
                    refreshed_at = table.Column<long>(type: "bigint", nullable: false)
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

        /// <summary>The trigger functions and triggers that append to compliance_changes.</summary>
        private static readonly string[] ComplianceTriggers =
        [
            @"CREATE FUNCTION compliance_changes_of_employee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO compliance_changes (nip) VALUES (OLD.nip);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.nip <> NEW.nip THEN INSERT INTO compliance_changes (nip) VALUES (OLD.nip); END IF;
    END IF;
    INSERT INTO compliance_changes (nip) VALUES (NEW.nip);
    RETURN NULL;
END $$",
            @"CREATE FUNCTION compliance_changes_of_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO compliance_changes (regency_code) VALUES (OLD.regency_code);
    ELSE
        INSERT INTO compliance_changes (regency_code) VALUES (NEW.regency_code);
    END IF;
    RETURN NULL;
END $$",
            @"CREATE FUNCTION compliance_changes_of_merchant_buyers(merchant text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO compliance_changes (nip) SELECT DISTINCT e.employee_nip FROM ledger_entries e
    WHERE e.regency_code = (SELECT m.regency_code FROM merchants m WHERE m.id = merchant) AND e.merchant_id = merchant
$$",
            @"CREATE FUNCTION compliance_changes_of_merchant_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM compliance_changes_of_merchant_buyers(OLD.merchant_id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM compliance_changes_of_merchant_buyers(NEW.merchant_id); END IF;
    RETURN NULL;
END $$",
            @"CREATE FUNCTION compliance_changes_of_merchant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM compliance_changes_of_merchant_buyers(NEW.id);
    RETURN NULL;
END $$",
            @"CREATE TRIGGER employees_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON employees FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_employee()",
            @"CREATE TRIGGER employee_status_changes_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON employee_status_changes FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_employee()",
            @"CREATE TRIGGER employee_assignments_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON employee_assignments FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_employee()",
            @"CREATE TRIGGER quota_exemptions_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON quota_exemptions FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_employee()",
            @"CREATE TRIGGER quota_policies_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON quota_policies FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_policy()",
            @"CREATE TRIGGER merchant_status_changes_compliance_changes AFTER INSERT OR UPDATE OR DELETE ON merchant_status_changes FOR EACH ROW EXECUTE FUNCTION compliance_changes_of_merchant_status()",
            @"CREATE TRIGGER merchants_compliance_changes AFTER UPDATE OF category, scale ON merchants FOR EACH ROW WHEN (OLD.category <> NEW.category OR OLD.scale <> NEW.scale) EXECUTE FUNCTION compliance_changes_of_merchant()",
        ];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in new[] {
                "DROP TRIGGER IF EXISTS employees_compliance_changes ON employees",
                "DROP TRIGGER IF EXISTS employee_status_changes_compliance_changes ON employee_status_changes",
                "DROP TRIGGER IF EXISTS employee_assignments_compliance_changes ON employee_assignments",
                "DROP TRIGGER IF EXISTS quota_exemptions_compliance_changes ON quota_exemptions",
                "DROP TRIGGER IF EXISTS quota_policies_compliance_changes ON quota_policies",
                "DROP TRIGGER IF EXISTS merchant_status_changes_compliance_changes ON merchant_status_changes",
                "DROP TRIGGER IF EXISTS merchants_compliance_changes ON merchants",
                "DROP FUNCTION IF EXISTS compliance_changes_of_employee()",
                "DROP FUNCTION IF EXISTS compliance_changes_of_policy()",
                "DROP FUNCTION IF EXISTS compliance_changes_of_merchant_status()",
                "DROP FUNCTION IF EXISTS compliance_changes_of_merchant()",
                "DROP FUNCTION IF EXISTS compliance_changes_of_merchant_buyers(text)",
            })
                migrationBuilder.Sql(sql);

            migrationBuilder.DropTable(
                name: "compliance_changes");

            migrationBuilder.DropTable(
                name: "compliance_employee_months");

            migrationBuilder.DropTable(
                name: "compliance_months");
        }
    }
}
