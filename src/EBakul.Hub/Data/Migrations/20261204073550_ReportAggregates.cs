using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportAggregates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "report_buyer_merchant_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    employee_nip = table.Column<string>(type: "TEXT", nullable: false),
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    category = table.Column<int>(type: "INTEGER", nullable: false),
                    scale = table.Column<int>(type: "INTEGER", nullable: false),
                    kecamatan_code = table.Column<string>(type: "TEXT", nullable: false),
                    spent_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    purchase_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_buyer_merchant_months", x => new { x.regency_code, x.period_key, x.office_code, x.employee_nip, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_merchant_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    category = table.Column<int>(type: "INTEGER", nullable: false),
                    scale = table.Column<int>(type: "INTEGER", nullable: false),
                    kecamatan_code = table.Column<string>(type: "TEXT", nullable: false),
                    first_active_at = table.Column<long>(type: "INTEGER", nullable: true),
                    counts = table.Column<bool>(type: "INTEGER", nullable: false),
                    spent_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    purchase_count = table.Column<long>(type: "INTEGER", nullable: false),
                    buyer_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_merchant_months", x => new { x.regency_code, x.period_key, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_office_group_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    dimension = table.Column<int>(type: "INTEGER", nullable: false),
                    group_key = table.Column<string>(type: "TEXT", nullable: false),
                    spent_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    purchase_count = table.Column<long>(type: "INTEGER", nullable: false),
                    buyer_count = table.Column<long>(type: "INTEGER", nullable: false),
                    merchant_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_office_group_months", x => new { x.regency_code, x.period_key, x.office_code, x.dimension, x.group_key });
                });

            migrationBuilder.CreateTable(
                name: "report_office_merchant_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    merchant_id = table.Column<string>(type: "TEXT", nullable: false),
                    spent_rupiah = table.Column<long>(type: "INTEGER", nullable: false),
                    purchase_count = table.Column<long>(type: "INTEGER", nullable: false),
                    buyer_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_office_merchant_months", x => new { x.regency_code, x.period_key, x.office_code, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_rebuilds",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_rebuilds", x => x.regency_code);
                });

            // A ledger recorded before the aggregates existed: every regency with entries is built from it at the next start,
            // before the hub serves (ReportAggregates.RebuildMarkedAsync).
            migrationBuilder.Sql(
                "INSERT INTO report_rebuilds (regency_code, requested_at) SELECT DISTINCT regency_code, 0 FROM ledger_entries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "report_buyer_merchant_months");

            migrationBuilder.DropTable(
                name: "report_merchant_months");

            migrationBuilder.DropTable(
                name: "report_office_group_months");

            migrationBuilder.DropTable(
                name: "report_office_merchant_months");

            migrationBuilder.DropTable(
                name: "report_rebuilds");
        }
    }
}
