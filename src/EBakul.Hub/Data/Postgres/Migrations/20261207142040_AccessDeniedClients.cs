using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AccessDeniedClients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "denied_clients",
                columns: table => new
                {
                    issuer = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    client_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    denied_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_denied_clients", x => new { x.issuer, x.client_id });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "denied_clients");
        }
    }
}
