using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBakul.Hub.Data.Migrations
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
                    issuer = table.Column<string>(type: "TEXT", nullable: false),
                    client_id = table.Column<string>(type: "TEXT", nullable: false),
                    denied_at = table.Column<long>(type: "INTEGER", nullable: false)
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
