using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class MerchantsInRegencyOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_merchants_regency_code_id",
                table: "merchants",
                columns: new[] { "regency_code", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_merchants_regency_code_id",
                table: "merchants");
        }
    }
}
