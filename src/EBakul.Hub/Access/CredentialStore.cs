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
/// that time in every other hub process on the same database. When a cached check expires, the callers presenting
/// that credential meanwhile share one read of the database instead of each reading it.
/// </summary>
public sealed class CredentialStore(IServiceScopeFactory scopes, DatabaseWriter writer, TimeProvider clock)
{
    /// <summary>How long a checked credential is trusted without reading the database again.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest token the hub reads, characters. Its own have 56 (<c>ebk.</c>, an 8-character credential id, a dot, a
    /// 43-character secret); a longer one is refused as malformed before anything is looked up.
    /// </summary>
    public const int MaxTokenLength = 256;

    private const string Prefix = "ebk";
    private readonly ConcurrentDictionary<string, CachedCheck> _cache = new(StringComparer.Ordinal);
    private long _databaseReads;

    /// <summary>How many times a credential was read from the database (checks the cache could not answer).</summary>
    public long DatabaseReads => Interlocked.Read(ref _databaseReads);

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
        var credentialId = parts[1];
        var now = clock.GetUtcNow();
        if (!_cache.TryGetValue(credentialId, out var check) || check.LoadedAt + CacheLifetime < now)
        {
            // One read per expiry: the caller whose check replaces the expired one reads, the others await that read.
            var fresh = new CachedCheck(now);
            check = check is not null && _cache.TryUpdate(credentialId, fresh, check) ? fresh : _cache.GetOrAdd(credentialId, fresh);
            if (ReferenceEquals(check, fresh)) await fresh.FillAsync(() => LoadAsync(credentialId));
        }
        CacheEntry entry;
        try
        {
            entry = await check.Entry.WaitAsync(cancellationToken);
        }
        catch (Exception) when (check.Entry.IsFaulted)
        {
            // A failed read is not cached: the next caller reads again.
            _cache.TryRemove(KeyValuePair.Create(credentialId, check));
            throw;
        }
        if (entry.Identity is null || !CryptographicOperations.FixedTimeEquals(entry.SecretHash, Hash(parts[2]))) return null;
        return entry.Identity;
    }

    // Not cancelled by the caller that started it: every caller waiting for the same credential shares the read.
    private async Task<CacheEntry> LoadAsync(string credentialId)
    {
        Interlocked.Increment(ref _databaseReads);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var found = await (
            from credential in db.CallerCredentials.AsNoTracking()
            join caller in db.Callers.AsNoTracking() on credential.CallerId equals caller.Id
            where credential.Id == credentialId && credential.RevokedAt == null
            select new { credential.SecretHash, caller }).SingleOrDefaultAsync();
        return found is null
            ? new CacheEntry(null, [])
            : new CacheEntry(ToIdentity(found.caller), found.SecretHash);
    }

    /// <summary>The identity a caller row grants.</summary>
    public static CallerIdentity ToIdentity(Caller caller) => new(
        caller.Id,
        caller.Kind,
        caller.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(),
        caller.Regencies.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(),
        caller.OfficeCode) { RateLimitPerSecond = caller.RateLimitPerSecond };

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private sealed record CacheEntry(CallerIdentity? Identity, byte[] SecretHash);

    /// <summary>A check of one credential, read at <see cref="LoadedAt"/> and shared by every caller until it expires.</summary>
    private sealed class CachedCheck(DateTimeOffset loadedAt)
    {
        private readonly TaskCompletionSource<CacheEntry> _entry = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset LoadedAt { get; } = loadedAt;

        /// <summary>The credential as read; faulted when the read failed.</summary>
        public Task<CacheEntry> Entry => _entry.Task;

        /// <summary>Reads the credential for everyone waiting on <see cref="Entry"/>.</summary>
        public async Task FillAsync(Func<Task<CacheEntry>> read)
        {
            try
            {
                _entry.SetResult(await read());
            }
            catch (Exception ex)
            {
                _entry.SetException(ex);
            }
        }
    }
}
