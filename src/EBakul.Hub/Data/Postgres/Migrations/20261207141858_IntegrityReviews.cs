using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class IntegrityReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "integrity_reviews",
                columns: table => new
                {
                    regency_code = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    period_key = table.Column<int>(type: "integer", nullable: false),
                    signal_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    verdict = table.Column<int>(type: "integer", nullable: false),
                    note = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    reviewed_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    reviewed_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_integrity_reviews", x => new { x.regency_code, x.period_key, x.signal_id });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "integrity_reviews");
        }
    }
}
