using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class MonthRulesAndReceiptKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "no_tpp",
                table: "period_states",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "tpp_ceiling_rupiah",
                table: "payroll_adjustments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "employee_assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    effective_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    effective_period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    kelas_jabatan = table.Column<int>(type: "INTEGER", nullable: false),
                    employment_type = table.Column<int>(type: "INTEGER", nullable: false),
                    echelon = table.Column<int>(type: "INTEGER", nullable: false),
                    tpp_ceiling_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employee_assignments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_employee_assignments_nip_effective_period_key_effective_date",
                table: "employee_assignments",
                columns: new[] { "nip", "effective_period_key", "effective_date" });

            migrationBuilder.CreateIndex(
                name: "ix_employee_assignments_office_code_nip",
                table: "employee_assignments",
                columns: new[] { "office_code", "nip" });

            // Adjustments carry the TPP ceiling that bounds their correction (docs/etpp-push-contract.md). Rows from
            // before take the employee's ceiling of today, and never less than the correction they carry.
            migrationBuilder.Sql(
                "UPDATE payroll_adjustments SET tpp_ceiling_rupiah = MAX(tpp_correction_rupiah, " +
                "COALESCE((SELECT e.tpp_ceiling_rupiah FROM employees AS e WHERE e.nip = payroll_adjustments.nip), 0));");

            // Receipts are claimed under ReceiptReferences.Key (NFKC, no format characters, one dash, one space, upper
            // case) instead of trimmed upper case. Claims whose key changes take the new key; a claim whose new key
            // another claim already holds (a lookalike duplicate recorded before) keeps its old one, so every recorded
            // purchase keeps its meaning. The function is the hub's own, registered on the migrating connection.
            migrationBuilder.Sql(
                "UPDATE OR IGNORE receipt_claims SET receipt_reference = ebakul_receipt_key(receipt_reference) " +
                "WHERE receipt_reference <> ebakul_receipt_key(receipt_reference);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "employee_assignments");

            migrationBuilder.DropColumn(
                name: "no_tpp",
                table: "period_states");

            migrationBuilder.DropColumn(
                name: "tpp_ceiling_rupiah",
                table: "payroll_adjustments");
        }
    }
}
