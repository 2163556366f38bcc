using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class AdjustmentDisputes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "adjustment_disputes",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    regency_code = table.Column<string>(type: "TEXT", nullable: false),
                    adjustment_key = table.Column<string>(type: "TEXT", nullable: false),
                    nip = table.Column<string>(type: "TEXT", nullable: false),
                    office_code = table.Column<string>(type: "TEXT", nullable: false),
                    period_key = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<int>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    evidence_references = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    filed_by = table.Column<string>(type: "TEXT", nullable: false),
                    filed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    cutoff_at = table.Column<long>(type: "INTEGER", nullable: false),
                    resolved_by = table.Column<string>(type: "TEXT", nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolution_text = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adjustment_disputes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_adjustment_disputes_adjustment_key",
                table: "adjustment_disputes",
                column: "adjustment_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_adjustment_disputes_regency_code_period_key_filed_at",
                table: "adjustment_disputes",
                columns: new[] { "regency_code", "period_key", "filed_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adjustment_disputes");
        }
    }
}
