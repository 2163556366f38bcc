using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
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
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    employee_nip = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    category = table.Column<int>(type: "integer", nullable: false),
                    scale = table.Column<int>(type: "integer", nullable: false),
                    kecamatan_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    spent_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    purchase_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_buyer_merchant_months", x => new { x.regency_code, x.period_key, x.office_code, x.employee_nip, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_merchant_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    category = table.Column<int>(type: "integer", nullable: false),
                    scale = table.Column<int>(type: "integer", nullable: false),
                    kecamatan_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    first_active_at = table.Column<long>(type: "bigint", nullable: true),
                    counts = table.Column<int>(type: "integer", nullable: false),
                    spent_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    purchase_count = table.Column<long>(type: "bigint", nullable: false),
                    buyer_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_merchant_months", x => new { x.regency_code, x.period_key, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_office_group_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    dimension = table.Column<int>(type: "integer", nullable: false),
                    group_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    spent_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    purchase_count = table.Column<long>(type: "bigint", nullable: false),
                    buyer_count = table.Column<long>(type: "bigint", nullable: false),
                    merchant_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_office_group_months", x => new { x.regency_code, x.period_key, x.office_code, x.dimension, x.group_key });
                });

            migrationBuilder.CreateTable(
                name: "report_office_merchant_months",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    office_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    spent_rupiah = table.Column<long>(type: "bigint", nullable: false),
                    purchase_count = table.Column<long>(type: "bigint", nullable: false),
                    buyer_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_office_merchant_months", x => new { x.regency_code, x.period_key, x.office_code, x.merchant_id });
                });

            migrationBuilder.CreateTable(
                name: "report_rebuilds",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    requested_at = table.Column<long>(type: "bigint", nullable: false)
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
