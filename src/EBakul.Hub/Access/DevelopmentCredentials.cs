using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Access;

/// <summary>
/// On the first start of a hub that has no caller at all (and unless <see cref="AccessOptions.CreateDevelopmentCredential"/>
/// is off), creates two DEVELOPMENT-ONLY callers so that the README's commands work on a fresh machine:
/// <c>local-dev</c> (an admin with every scope but e-TPP's on every regency) and <c>local-etpp</c> (e-TPP: pull and
/// acknowledge). Their tokens are printed once and written to <c>dev-credentials.env</c> beside the database.
/// </summary>
public sealed class DevelopmentCredentials(
    IServiceScopeFactory scopes, CredentialStore credentials, IOptions<AccessOptions> access, IOptions<DatabaseOptions> database,
    TimeProvider clock, ILogger<DevelopmentCredentials> logger)
{
    /// <summary>File name of the development tokens, beside the database file.</summary>
    public const string FileName = "dev-credentials.env";

    /// <summary>Creates the development callers when the hub has none.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (!access.Value.CreateDevelopmentCredential) return;
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database.Value.Path))!, FileName);
        await using (var scope = scopes.CreateAsyncScope())
        {
            if (await scope.ServiceProvider.GetRequiredService<HubDbContext>().Callers.AnyAsync(cancellationToken))
            {
                if (File.Exists(file)) logger.LogWarning("DEVELOPMENT credentials are in {File}", file);
                return;
            }
        }

        var now = clock.GetUtcNow();
        var admin = await credentials.IssueAsync(new Caller
        {
            Id = "local-dev", DisplayName = "Local development (admin, every scope but e-TPP's)", Kind = CallerKind.Admin,
            Scopes = string.Join(' ', Scopes.All.Except(Scopes.EtppOnly).Order()), Regencies = CallerIdentity.AllRegencies,
            RateLimitPerSecond = 100_000, CreatedAt = now,
        }, cancellationToken);
        var etpp = await credentials.IssueAsync(new Caller
        {
            Id = "local-etpp", DisplayName = "Local development e-TPP", Kind = CallerKind.Etpp,
            Scopes = string.Join(' ', Scopes.EtppOnly.Order()), Regencies = CallerIdentity.AllRegencies,
            RateLimitPerSecond = 100_000, CreatedAt = now,
        }, cancellationToken);

        Directory.CreateDirectory(Path.GetDirectoryName(file)!); // on PostgreSQL no database file made the folder
        await File.WriteAllTextAsync(file,
            // Read by a shell (set -a; . file) and by PHP's parse_ini_file: plain KEY=value lines, and comments of words only
            // (an ini file reads quotes, parentheses or '=' in a comment as syntax).
            "# DEVELOPMENT ONLY: tokens of the local development callers, made on the first start of an empty hub.\n" +
            "# Never use them in production: turn Access:CreateDevelopmentCredential off and add real callers with the callers command.\n" +
            "# Shell: set -a; . dev-credentials.env; set +a. PHP: parse_ini_file.\n" +
            $"EBAKUL_TOKEN={admin}\nEBAKUL_ETPP_TOKEN={etpp}\n", cancellationToken);
        logger.LogWarning(
            "\n******** DEVELOPMENT-ONLY CREDENTIALS (shown once; also in {File}) ********\n" +
            "  local-dev  (admin, every scope but e-TPP's, every regency): {Admin}\n" +
            "  local-etpp (e-TPP pull and acknowledge):          {Etpp}\n" +
            "  Use: -H \"authorization: Bearer <token>\". Turn off with Access:CreateDevelopmentCredential=false.\n" +
            "******************************************************************************", file, admin, etpp);
    }
}
