using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Access;

/// <summary>
/// Issues, revokes and checks bearer credentials. A token reads <c>ebk.{credential id}.{secret}</c>; the secret
/// is 32 random bytes and only its SHA-256 is stored, compared in constant time. Checked credentials are cached
/// for <see cref="CacheLifetime"/>: a revocation takes effect at once in the process that made it and within
/// that time in every other hub process on the same database.
/// </summary>
public sealed class CredentialStore(IServiceScopeFactory scopes, DatabaseWriter writer, TimeProvider clock)
{
    /// <summary>How long a checked credential is trusted without reading the database again.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    private const string Prefix = "ebk";
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    /// <summary>Registers a caller (or updates its grants) and issues a new credential; returns the token, shown once.</summary>
    public async Task<string> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var credentialId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        await writer.WriteAsync(tx =>
        {
            var existing = tx.Db.Callers.SingleOrDefault(c => c.Id == caller.Id);
            if (existing is null) tx.Db.Callers.Add(caller);
            else
            {
                existing.DisplayName = caller.DisplayName;
                existing.Kind = caller.Kind;
                existing.Scopes = caller.Scopes;
                existing.Regencies = caller.Regencies;
                existing.OfficeCode = caller.OfficeCode;
                existing.RateLimitPerSecond = caller.RateLimitPerSecond;
            }
            tx.Db.CallerCredentials.Add(new CallerCredential
            {
                Id = credentialId, CallerId = caller.Id, SecretHash = Hash(secret), CreatedAt = now,
            });
            tx.Db.SaveChanges();
            return 0;
        }, cancellationToken);
        return $"{Prefix}.{credentialId}.{secret}";
    }

    /// <summary>Revokes every credential of a caller; returns how many were still valid.</summary>
    public async Task<int> RevokeAllAsync(string callerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var revoked = await writer.WriteAsync(tx =>
        {
            var credentials = tx.Db.CallerCredentials.Where(c => c.CallerId == callerId && c.RevokedAt == null).ToList();
            foreach (var credential in credentials) credential.RevokedAt = now;
            tx.Db.SaveChanges();
            return credentials.Select(c => c.Id).ToList();
        }, cancellationToken);
        foreach (var id in revoked) _cache.TryRemove(id, out _);
        return revoked.Count;
    }

    /// <summary>The caller a token authenticates, or null when the token is malformed, unknown or revoked.</summary>
    public async ValueTask<CallerIdentity?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Prefix || parts[1].Length == 0 || parts[2].Length == 0) return null;
        var now = clock.GetUtcNow();
        if (!_cache.TryGetValue(parts[1], out var entry) || entry.LoadedAt + CacheLifetime < now)
        {
            entry = await LoadAsync(parts[1], now, cancellationToken);
            _cache[parts[1]] = entry;
        }
        if (entry.Identity is null || !CryptographicOperations.FixedTimeEquals(entry.SecretHash, Hash(parts[2]))) return null;
        return entry.Identity;
    }

    private async Task<CacheEntry> LoadAsync(string credentialId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var found = await (
            from credential in db.CallerCredentials.AsNoTracking()
            join caller in db.Callers.AsNoTracking() on credential.CallerId equals caller.Id
            where credential.Id == credentialId && credential.RevokedAt == null
            select new { credential.SecretHash, caller }).SingleOrDefaultAsync(cancellationToken);
        return found is null
            ? new CacheEntry(null, [], now)
            : new CacheEntry(ToIdentity(found.caller), found.SecretHash, now);
    }

    /// <summary>The identity a caller row grants.</summary>
    public static CallerIdentity ToIdentity(Caller caller) => new(
        caller.Id,
        caller.Kind,
        caller.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(),
        caller.Regencies.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(),
        caller.OfficeCode) { RateLimitPerSecond = caller.RateLimitPerSecond };

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private sealed record CacheEntry(CallerIdentity? Identity, byte[] SecretHash, DateTimeOffset LoadedAt);
}
