using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ComplianceOfficeSums : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "compliance_office_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    employee_count = table.Column<int>(type: "INTEGER", nullable: false),
                    exempt_count = table.Column<int>(type: "INTEGER", nullable: false),
                    no_tpp_count = table.Column<int>(type: "INTEGER", nullable: false),
                    compliant_count = table.Column<int>(type: "INTEGER", nullable: false),
                    non_compliant_count = table.Column<int>(type: "INTEGER", nullable: false),
                    required_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    counted_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    shortfall_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    projected_correction_rupiah = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_compliance_office_months", x => new { x.regency_code, x.period_key, x.office_code });
                });

            // The months already kept get their sums from their rows.
            migrationBuilder.Sql(
                "INSERT INTO compliance_office_months (regency_code, period_key, office_code, employee_count, exempt_count, no_tpp_count, " +
                "compliant_count, non_compliant_count, required_rupiah, counted_rupiah, shortfall_rupiah, projected_correction_rupiah) " +
                "SELECT regency_code, period_key, office_code, COUNT(*), " +
                "SUM(CASE WHEN outcome = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 4 THEN 1 ELSE 0 END), " +
                "SUM(CASE WHEN outcome = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 2 THEN 1 ELSE 0 END), " +
                "SUM(CASE WHEN outcome IN (1, 2) THEN required_rupiah ELSE 0 END), SUM(CASE WHEN outcome IN (1, 2) THEN counted_rupiah ELSE 0 END), " +
                "SUM(CASE WHEN outcome IN (1, 2) THEN remaining_rupiah ELSE 0 END), " +
                "SUM(CASE WHEN outcome IN (1, 2) THEN projected_correction_rupiah ELSE 0 END) " +
                "FROM compliance_employee_months GROUP BY regency_code, period_key, office_code");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "compliance_office_months");
        }
    }
}
