using EBakul.Hub.Access;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Payroll;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Hosting;

/// <summary>
/// Admin commands of the hub, run instead of the server when the first argument names one:
/// <code>
/// EBakul.Hub callers add ID --kind etpp|office|app|province|regency|admin --regencies 35.22[,35.23|*]
///                        --scopes s1,s2|all [--office 1.02.01] [--name "Display name"] [--rate 200]
/// EBakul.Hub callers revoke ID
/// EBakul.Hub callers deny --issuer NAME --client-id ID
/// EBakul.Hub callers allow --issuer NAME --client-id ID
/// EBakul.Hub callers list
/// EBakul.Hub audit verify
/// EBakul.Hub migrate
/// </code>
/// Every command works on the configured database (<c>--Database:Path=...</c>, or PostgreSQL with
/// <c>--Database:Provider=Postgres --ConnectionStrings:Postgres=...</c>) and exits with 0 on success. Only <c>migrate</c>
/// creates or migrates a database: any other command refuses one that is missing or lacks a migration. A command that
/// cannot do what it was asked says why in one line on standard error (<c>error: ...</c>) and exits non-zero: 2 for
/// arguments it does not take, 1 for anything else.
/// </summary>
public static class HubCommands
{
    /// <summary>Whether the arguments name a command.</summary>
    public static bool Recognizes(string[] args) => args.Length > 0 && args[0] is "callers" or "audit" or "evidence" or "migrate";

    /// <summary>
    /// The arguments that are settings (<c>--Key=value</c>, <c>--Key value</c>): all but a command's switches without a value
    /// (<c>--allow-open</c>), which the configuration would read as taking the next argument for their value.
    /// </summary>
    public static string[] Settings(string[] args) => Recognizes(args) ? [.. args.Where(a => a != AllowOpen)] : args;

    private const string AllowOpen = "--allow-open";

    /// <summary>Runs the hub, or the command the arguments name.</summary>
    public static async Task RunHubAsync(this WebApplication app, string[] args)
    {
        if (!Recognizes(args))
        {
            await app.RunAsync();
            return;
        }
        try
        {
            // Migrating is what the initialization does, whatever Database:MigrateAtStart says; it alone creates a database.
            if (args is ["migrate", ..])
            {
                await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None, forceMigrate: true);
                await Console.Out.WriteLineAsync("database migrated");
                return;
            }
            // Verifying an evidence package needs nothing but the file: no database is opened.
            if (args is not ["evidence", "verify", ..])
                await app.Services.GetRequiredService<DatabaseInitializer>().OpenExistingAsync(CancellationToken.None);
            Environment.ExitCode = await RunAsync(app.Services, args, Console.Out, Console.Error);
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"error: {OneLine(ex)}");
            Environment.ExitCode = 1;
        }
    }

    /// <summary>
    /// Runs one command; returns the exit code. What a script reads (the one-time token of <c>callers add</c>, the caller
    /// list) goes to <paramref name="output"/>, alone; what a person reads beside it goes to <paramref name="messages"/>
    /// (standard error, with the logs).
    /// </summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter? messages = null)
    {
        messages ??= TextWriter.Null;
        try
        {
            return (args[0], args.ElementAtOrDefault(1)) switch
            {
                ("callers", "add") => await AddCallerAsync(services, args, output, messages),
                ("callers", "revoke") => await RevokeAsync(services, args, output),
                ("callers", "deny") => await DenyAsync(services, args, output, deny: true),
                ("callers", "allow") => await DenyAsync(services, args, output, deny: false),
                ("callers", "list") => await ListAsync(services, output),
                ("audit", "verify") => await VerifyAsync(services, output),
                ("evidence", "export") => await ExportEvidenceAsync(services, args, output),
                ("evidence", "verify") => await VerifyEvidenceAsync(args, output),
                _ => Usage(output),
            };
        }
        catch (ArgumentException ex)
        {
            await (messages == TextWriter.Null ? output : messages).WriteLineAsync($"error: {OneLine(ex)}");
            return 2;
        }
        catch (Exception ex) when (ex is CommandRefusedException or DatabaseNotReadyException or IOException or UnauthorizedAccessException
                                       or Errors.HubException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            await (messages == TextWriter.Null ? output : messages).WriteLineAsync($"error: {OneLine(ex)}");
            return 1;
        }
    }

    /// <summary>The exception's message on one line.</summary>
    private static string OneLine(Exception ex) => ex.Message.ReplaceLineEndings(" ");

    /// <summary>A command found what it was asked to do wrong or impossible (e.g. exporting an open month); nothing was changed.</summary>
    private sealed class CommandRefusedException(string message) : Exception(message);

    private static async Task<int> AddCallerAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter messages)
    {
        var id = args.ElementAtOrDefault(2) ?? throw new ArgumentException("callers add needs an ID");
        if (id.StartsWith('-') || id.Length > 64) throw new ArgumentException("the caller ID comes right after 'callers add' (at most 64 characters)");
        var kindWord = Option(args, "--kind");
        if (!CallerKinds.TryParse(kindWord, out var kind))
            throw new ArgumentException($"--kind must be {CallerKinds.Words} (got '{kindWord}')");
        var scopeList = (Option(args, "--scopes") ?? throw new ArgumentException("--scopes is required")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scopeList is ["all"]) scopeList = [.. Scopes.All.Order()];
        var unknown = scopeList.Where(s => !Scopes.All.Contains(s)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown scopes: {string.Join(", ", unknown)}; known: {string.Join(", ", Scopes.All.Order())}");
        var regencies = (Option(args, "--regencies") ?? throw new ArgumentException("--regencies is required (codes, or *)"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var office = Option(args, "--office");
        if (kind == CallerKind.OfficeSystem && (office is null || regencies.Length != 1 || regencies[0] == CallerIdentity.AllRegencies))
            throw new ArgumentException("an office system needs --office and exactly one regency");
        var rate = int.TryParse(Option(args, "--rate"), out var r) ? r : 0;

        var token = await services.GetRequiredService<CredentialStore>().IssueAsync(new Caller
        {
            Id = id,
            DisplayName = Option(args, "--name") ?? id,
            Kind = kind,
            Scopes = string.Join(' ', scopeList),
            Regencies = string.Join(' ', regencies),
            OfficeCode = office,
            RateLimitPerSecond = rate,
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
        }, CancellationToken.None);
        await messages.WriteLineAsync($"caller '{id}' ({kind}) scopes: {string.Join(' ', scopeList)}; regencies: {string.Join(' ', regencies)}{(office is null ? "" : $"; office {office}")}");
        await messages.WriteLineAsync("its token, on standard output, is shown once: store it in the calling system's secret store");
        await output.WriteLineAsync(token);
        return 0;
    }

    private static async Task<int> RevokeAsync(IServiceProvider services, string[] args, TextWriter output)
    {
        var id = args.ElementAtOrDefault(2) ?? throw new ArgumentException("callers revoke needs an ID");
        var count = await services.GetRequiredService<CredentialStore>().RevokeAllAsync(id, CancellationToken.None);
        await output.WriteLineAsync($"revoked {count} credential(s) of caller '{id}' (other hub processes stop accepting them within {CredentialStore.CacheLifetime.TotalSeconds:0} s)");
        return count > 0 ? 0 : 1;
    }

    /// <summary>
    /// <c>callers deny|allow --issuer NAME --client-id ID</c>: suspends, or reinstates, a client of a configured token issuer
    /// (named by its <c>Name</c> or its issuer address) without the issuer's help.
    /// </summary>
    private static async Task<int> DenyAsync(IServiceProvider services, string[] args, TextWriter output, bool deny)
    {
        var verb = deny ? "deny" : "allow";
        var named = Option(args, "--issuer") ?? throw new ArgumentException($"callers {verb} needs --issuer NAME (a configured Access:Issuers entry's Name or issuer)");
        var clientId = Option(args, "--client-id") ?? throw new ArgumentException($"callers {verb} needs --client-id ID (the client's id at the issuer)");
        var validator = services.GetRequiredService<AccessTokenValidator>();
        var issuer = validator.FindIssuer(named) ?? throw new ArgumentException(
            $"no configured token issuer is named '{named}' (Access:Issuers:N:Name or its issuer address)");
        var denied = services.GetRequiredService<DeniedClients>();
        var changed = deny
            ? await denied.DenyAsync(issuer.DisplayName, clientId, CancellationToken.None)
            : await denied.AllowAsync(issuer.DisplayName, clientId, CancellationToken.None);
        var caller = $"{issuer.DisplayName}/{clientId}";
        await output.WriteLineAsync((deny, changed) switch
        {
            (true, true) => $"denied caller '{caller}' (other hub processes refuse it within {CredentialStore.CacheLifetime.TotalSeconds:0} s)",
            (true, false) => $"caller '{caller}' was already denied",
            (false, true) => $"allowed caller '{caller}' again",
            (false, false) => $"caller '{caller}' was not denied",
        });
        return 0;
    }

    private static async Task<int> ListAsync(IServiceProvider services, TextWriter output)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        foreach (var caller in await db.Callers.AsNoTracking().OrderBy(c => c.Id).ToListAsync())
        {
            var active = await db.CallerCredentials.CountAsync(c => c.CallerId == caller.Id && c.RevokedAt == null);
            await output.WriteLineAsync($"{caller.Id}\t{caller.Kind}\tregencies={caller.Regencies}\toffice={caller.OfficeCode ?? "-"}\tactive credentials={active}\tscopes={caller.Scopes}");
        }
        foreach (var denied in await services.GetRequiredService<DeniedClients>().ListAsync(CancellationToken.None))
            await output.WriteLineAsync($"{denied.Issuer}/{denied.ClientId}\tdenied since {denied.DeniedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
        return 0;
    }

    private static async Task<int> VerifyAsync(IServiceProvider services, TextWriter output)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await AuditTrail.VerifyAsync(scope.ServiceProvider.GetRequiredService<HubDbContext>(), CancellationToken.None);
        await output.WriteLineAsync(result.IsIntact ? $"audit trail intact: {result.Message}" : $"AUDIT TRAIL BROKEN: {result.Message}");
        return result.IsIntact ? 0 : 1;
    }

    private static async Task<int> ExportEvidenceAsync(IServiceProvider services, string[] args, TextWriter output)
    {
        var regency = Option(args, "--regency") ?? throw new ArgumentException("--regency is required");
        var period = Period.TryParse(Option(args, "--period"), out var parsed) ? parsed : throw new ArgumentException("--period YYYY-MM is required");
        var path = Option(args, "--out") ?? throw new ArgumentException("--out FILE is required");
        var allowOpen = args.Contains(AllowOpen);
        // A package is never overwritten: one that left the hub is recorded in the audit chain by its digest.
        if (File.Exists(path) || Directory.Exists(path))
            throw new CommandRefusedException($"{Path.GetFullPath(path)} exists: an export never overwrites a package; give another --out FILE");
        await using var scope = services.CreateAsyncScope();
        var state = await PeriodClosing.GetAsync(scope.ServiceProvider.GetRequiredService<HubDbContext>(), regency, period, CancellationToken.None);
        var provisional = state.Status != PeriodStatus.Closed;
        if (provisional && !allowOpen)
            throw new CommandRefusedException($"{regency} {period} is {state.Status.ToString().ToUpperInvariant()}, not CLOSED: its results can still change; " +
                "close the month first, or give --allow-open for a package marked provisional");
        EvidenceSummary summary;
        var created = false;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            created = true;
            summary = await scope.ServiceProvider.GetRequiredService<EvidenceExport>().WriteAsync(regency, period, file, CancellationToken.None);
        }
        catch (Exception) when (created)
        {
            File.Delete(path); // nothing half-written is left behind
            throw;
        }
        // The export is itself an audit event: the chain attests which package left the hub, so an auditor can later
        // confirm the digest against the hub's trail (or against the segment of a later package).
        var audit = services.GetRequiredService<AuditTrail>();
        var details = System.Text.Json.JsonSerializer.Serialize(new
        {
            period = period.ToString(), content_sha256 = summary.Sha256, lines = summary.Lines, audit_head = summary.AuditHead,
        });
        await services.GetRequiredService<DatabaseWriter>().WriteAsync(tx =>
        {
            audit.Append(tx, "hub-command", "evidence export", Guid.NewGuid().ToString("N"), regency, details);
            return true;
        }, CancellationToken.None);
        if (provisional)
            await output.WriteLineAsync($"PROVISIONAL: {regency} {period} is {state.Status.ToString().ToUpperInvariant()}; the package says so and its results can still change");
        await output.WriteLineAsync($"""
            wrote {path}: {summary.Lines} lines ({summary.Employees} employees, {summary.Purchases} purchases, {summary.Adjustments} adjustment revisions, {summary.Disputes} disputes)
            sha256      {summary.Sha256}
            audit from  {summary.AuditAnchor}
            audit head  {summary.AuditHead}
            """);
        return 0;
    }

    private static async Task<int> VerifyEvidenceAsync(string[] args, TextWriter output)
    {
        var path = args.ElementAtOrDefault(2) ?? throw new ArgumentException("evidence verify needs a FILE");
        await using var file = File.OpenRead(path);
        var result = await EvidenceVerifier.VerifyAsync(file, CancellationToken.None);
        await output.WriteLineAsync(result.IsIntact ? $"evidence {result.Message}" : $"EVIDENCE NOT VERIFIED, line {result.Line}: {result.Message}");
        return result.IsIntact ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int Usage(TextWriter output)
    {
        output.WriteLine("""
            usage:
              EBakul.Hub callers add ID --kind etpp|office|app|province|regency|admin --regencies 35.22[,35.23|*]
                                     --scopes s1,s2|all [--office CODE] [--name NAME] [--rate PER_SECOND]
              EBakul.Hub callers revoke ID
              EBakul.Hub callers deny --issuer NAME --client-id ID
              EBakul.Hub callers allow --issuer NAME --client-id ID
              EBakul.Hub callers list
              EBakul.Hub audit verify
              EBakul.Hub migrate
              EBakul.Hub evidence export --regency 35.22 --period YYYY-MM --out FILE [--allow-open]
              EBakul.Hub evidence verify FILE
            """);
        return 2;
    }
}
