using System.Collections.Frozen;
using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Access;

/// <summary>
/// A client of a token issuer that the hub refuses although the issuer still grants it tokens (table
/// <c>denied_clients</c>), set with <c>callers deny --issuer NAME --client-id ID</c> and lifted with <c>callers allow</c>.
/// </summary>
public sealed class DeniedClient
{
    /// <summary>The issuer as the hub names it (<see cref="TokenIssuerOptions.DisplayName"/>).</summary>
    public required string Issuer { get; init; }
    /// <summary>The client's id at the issuer (<c>client_id</c>, <c>azp</c> or <c>sub</c> of its tokens).</summary>
    public required string ClientId { get; init; }
    /// <summary>When it was denied.</summary>
    public DateTimeOffset DeniedAt { get; init; }
}

/// <summary>
/// The deny list of issuers' clients. Each check reads a copy of the whole (short) list that is at most
/// <see cref="CredentialStore.CacheLifetime"/> old: a deny or an allow holds at once in the process that made it and
/// within that time in every other hub process on the same database, as a revoked hub token does.
/// </summary>
public sealed class DeniedClients(IServiceScopeFactory scopes, DatabaseWriter writer, TimeProvider clock)
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>Whether the client <paramref name="clientId"/> of the issuer named <paramref name="issuer"/> is denied.</summary>
    public async ValueTask<bool> IsDeniedAsync(string issuer, string clientId, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is null || snapshot.ReadAt + CredentialStore.CacheLifetime < clock.GetUtcNow())
            snapshot = await ReadAsync(snapshot, cancellationToken);
        return snapshot.Keys.Contains(Key(issuer, clientId));
    }

    /// <summary>Denies a client; false when it already was.</summary>
    public async Task<bool> DenyAsync(string issuer, string clientId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var added = await writer.WriteAsync(tx =>
        {
            if (tx.Db.DeniedClients.Any(d => d.Issuer == issuer && d.ClientId == clientId)) return false;
            tx.Db.DeniedClients.Add(new DeniedClient { Issuer = issuer, ClientId = clientId, DeniedAt = now });
            tx.Db.SaveChanges();
            return true;
        }, cancellationToken);
        _snapshot = null;
        return added;
    }

    /// <summary>Lifts a client's denial; false when it was not denied.</summary>
    public async Task<bool> AllowAsync(string issuer, string clientId, CancellationToken cancellationToken)
    {
        var removed = await writer.WriteAsync(tx =>
        {
            var denied = tx.Db.DeniedClients.SingleOrDefault(d => d.Issuer == issuer && d.ClientId == clientId);
            if (denied is null) return false;
            tx.Db.DeniedClients.Remove(denied);
            tx.Db.SaveChanges();
            return true;
        }, cancellationToken);
        _snapshot = null;
        return removed;
    }

    /// <summary>Every denied client, by issuer and client id.</summary>
    public async Task<IReadOnlyList<DeniedClient>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HubDbContext>().DeniedClients.AsNoTracking()
            .OrderBy(d => d.Issuer).ThenBy(d => d.ClientId).ToListAsync(cancellationToken);
    }

    private async Task<Snapshot> ReadAsync(Snapshot? stale, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            // Read by another caller while this one waited.
            if (_snapshot is { } latest && !ReferenceEquals(latest, stale) && latest.ReadAt + CredentialStore.CacheLifetime >= clock.GetUtcNow())
                return latest;
            var readAt = clock.GetUtcNow();
            var denied = await ListAsync(cancellationToken);
            var snapshot = new Snapshot(readAt, denied.Select(d => Key(d.Issuer, d.ClientId)).ToFrozenSet(StringComparer.Ordinal));
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _reading.Release();
        }
    }

    private static string Key(string issuer, string clientId) => $"{issuer}\n{clientId}";

    private sealed record Snapshot(DateTimeOffset ReadAt, FrozenSet<string> Keys);
}
