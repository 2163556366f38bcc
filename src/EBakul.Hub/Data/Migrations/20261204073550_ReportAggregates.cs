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
            // The month aggregates are WITHOUT ROWID tables (what EF's CreateTable cannot say): the primary key is the table,
            // so a month's rows lie together in one b-tree (a report reads them in one pass; through a separate key index
            // and the rowid table it took four to fifteen times as long) and an upsert changes one b-tree instead of two.
            migrationBuilder.Sql(
                "CREATE TABLE report_buyer_merchant_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, office_code TEXT NOT NULL, employee_nip TEXT NOT NULL, merchant_id TEXT NOT NULL, category INTEGER NOT NULL, scale INTEGER NOT NULL, kecamatan_code TEXT NOT NULL, spent_rupiah INTEGER NOT NULL, purchase_count INTEGER NOT NULL, CONSTRAINT pk_report_buyer_merchant_months PRIMARY KEY (regency_code, period_key, office_code, employee_nip, merchant_id)) WITHOUT ROWID");

            migrationBuilder.Sql(
                "CREATE TABLE report_merchant_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, merchant_id TEXT NOT NULL, category INTEGER NOT NULL, scale INTEGER NOT NULL, kecamatan_code TEXT NOT NULL, first_active_at INTEGER NULL, counts INTEGER NOT NULL, spent_rupiah INTEGER NOT NULL, purchase_count INTEGER NOT NULL, buyer_count INTEGER NOT NULL, CONSTRAINT pk_report_merchant_months PRIMARY KEY (regency_code, period_key, merchant_id)) WITHOUT ROWID");

            migrationBuilder.Sql(
                "CREATE TABLE report_office_group_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, office_code TEXT NOT NULL, dimension INTEGER NOT NULL, group_key TEXT NOT NULL, spent_rupiah INTEGER NOT NULL, purchase_count INTEGER NOT NULL, buyer_count INTEGER NOT NULL, merchant_count INTEGER NOT NULL, CONSTRAINT pk_report_office_group_months PRIMARY KEY (regency_code, period_key, office_code, dimension, group_key)) WITHOUT ROWID");

            migrationBuilder.Sql(
                "CREATE TABLE report_office_merchant_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, office_code TEXT NOT NULL, merchant_id TEXT NOT NULL, spent_rupiah INTEGER NOT NULL, purchase_count INTEGER NOT NULL, buyer_count INTEGER NOT NULL, CONSTRAINT pk_report_office_merchant_months PRIMARY KEY (regency_code, period_key, office_code, merchant_id)) WITHOUT ROWID");

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
