using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class EmployeeLevelStoredAgain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // WITHOUT ROWID (what EF's CreateTable cannot say), as it was created by the migration ReportAggregates.
            migrationBuilder.Sql(
                "CREATE TABLE report_buyer_merchant_months (regency_code TEXT NOT NULL, period_key INTEGER NOT NULL, office_code TEXT NOT NULL, employee_nip TEXT NOT NULL, merchant_id TEXT NOT NULL, category INTEGER NOT NULL, scale INTEGER NOT NULL, kecamatan_code TEXT NOT NULL, spent_rupiah INTEGER NOT NULL, purchase_count INTEGER NOT NULL, CONSTRAINT pk_report_buyer_merchant_months PRIMARY KEY (regency_code, period_key, office_code, employee_nip, merchant_id)) WITHOUT ROWID");

            // The employee level is kept again (reading it from the ledger cost a purchase late in a month about 3 µs per
            // entry of its buyer's month): have it built from the ledger at the next start, before the hub serves.
            migrationBuilder.Sql(
                "INSERT INTO report_rebuilds (regency_code, requested_at) SELECT DISTINCT regency_code, 0 FROM ledger_entries WHERE 1 = 1 " +
                "ON CONFLICT (regency_code) DO NOTHING");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "report_buyer_merchant_months");
        }
    }
}
