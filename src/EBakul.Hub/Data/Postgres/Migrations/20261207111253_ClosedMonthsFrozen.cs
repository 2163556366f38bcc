using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ClosedMonthsFrozen : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "frozen_merchant_change_id",
                table: "period_states",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "frozen_status_change_id",
                table: "period_states",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "merchant_attribute_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    merchant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    category_before = table.Column<int>(type: "integer", nullable: false),
                    scale_before = table.Column<int>(type: "integer", nullable: false),
                    changed_at = table.Column<long>(type: "bigint", nullable: false),
                    changed_by = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merchant_attribute_changes", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_merchant_attribute_changes_merchant_id_id",
                table: "merchant_attribute_changes",
                columns: new[] { "merchant_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "merchant_attribute_changes");

            migrationBuilder.DropColumn(
                name: "frozen_merchant_change_id",
                table: "period_states");

            migrationBuilder.DropColumn(
                name: "frozen_status_change_id",
                table: "period_states");
        }
    }
}
