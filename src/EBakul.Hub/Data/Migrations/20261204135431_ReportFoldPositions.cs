using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportFoldPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "report_fold_positions",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    ledger_sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_fold_positions", x => x.regency_code);
                });

            // Until now the aggregates were kept inside each purchase's write: an existing ledger is folded to its end.
            migrationBuilder.Sql(
                "INSERT INTO report_fold_positions (regency_code, ledger_sequence) " +
                "SELECT r.code, COALESCE((SELECT MAX(e.sequence) FROM ledger_entries e WHERE e.regency_code = r.code), 0) FROM regencies r");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "report_fold_positions");
        }
    }
}
