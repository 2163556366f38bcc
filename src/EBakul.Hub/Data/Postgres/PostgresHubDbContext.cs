using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// The hub's model on PostgreSQL, with its own migrations (Data/Postgres/Migrations, found by this type). The model is
/// <see cref="HubDbContext"/>'s; three storage choices keep the hand-written SQL one for both stores:
/// <list type="bullet">
/// <item>booleans are integer columns holding 1 or 0, as in SQLite;</item>
/// <item>dates (<see cref="DateOnly"/>) are <c>yyyy-MM-dd</c> text, as in SQLite (they sort and compare alike);</item>
/// <item>text columns use the "C" collation: bytewise order, as SQLite's BINARY (NIP ranges, cursors and ORDER BY agree
/// whatever the server's default locale).</item>
/// </list>
/// Regenerate its migration after a change of the model with
/// <c>dotnet ef migrations add NAME --context PostgresHubDbContext --output-dir Data/Postgres/Migrations --namespace EBakul.Hub.Data.Postgres.Migrations</c>
/// (run in src/EBakul.Hub; no server needed).
/// </summary>
public sealed class PostgresHubDbContext(DbContextOptions<PostgresHubDbContext> options) : HubDbContext(options)
{
    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<bool>().HaveConversion<int>();
        configurationBuilder.Properties<DateOnly>().HaveConversion<string>().HaveMaxLength(10);
        configurationBuilder.Properties<string>().UseCollation("C");
    }

    /// <summary>Options for a context on <paramref name="connectionString"/>.</summary>
    public static DbContextOptions<PostgresHubDbContext> Options(string connectionString) =>
        new DbContextOptionsBuilder<PostgresHubDbContext>().UseNpgsql(connectionString).Options;

    /// <summary>For <c>dotnet ef</c>: a context whose connection is never opened to generate a migration.</summary>
    public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PostgresHubDbContext>
    {
        /// <inheritdoc />
        public PostgresHubDbContext CreateDbContext(string[] args) =>
            new(Options(Environment.GetEnvironmentVariable("EBAKUL_POSTGRES") ?? "Host=localhost;Database=ebakul"));
    }
}
