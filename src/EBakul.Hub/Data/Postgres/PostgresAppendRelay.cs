using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Payroll;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// Carries append signals between the replicas of one PostgreSQL database, so a stream following on one replica (the
/// change feed, the adjustments stream, the e-TPP dispatcher) hears of another's commits at once rather than at its
/// next poll. After a commit of this replica appends ledger entries or adjustments, it sends <c>NOTIFY</c> on
/// <see cref="Channel"/> (one per burst of commits, from its own task, never from the writer); a connection of its own
/// <c>LISTEN</c>s and wakes the local readers for the other replicas' notifications. Nothing depends on it: a lost
/// notification (a broken connection, a restart) only leaves the readers to their poll
/// (<see cref="DatabaseOptions.StreamPollInterval"/>), and after a reconnection every reader is woken once to catch up.
/// </summary>
public sealed class PostgresAppendRelay : BackgroundService
{
    /// <summary>The notification channel of the hub's appends; the payload is <c>ledger|adjustments:&lt;replica&gt;</c>.</summary>
    public const string Channel = "ebakul_appends";

    private const string LedgerKind = "ledger";
    private const string AdjustmentsKind = "adjustments";

    private readonly string _connectionString;
    private readonly LedgerAppendSignal _ledger;
    private readonly AdjustmentAppendSignal _adjustments;
    private readonly TimeProvider _clock;
    private readonly ILogger<PostgresAppendRelay> _logger;
    private readonly string _replica = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _pending = new(0, 1);
    private int _ledgerAppended;
    private int _adjustmentsAppended;

    /// <summary>A relay for the database of <paramref name="options"/>.</summary>
    public PostgresAppendRelay(IOptions<DatabaseOptions> options, LedgerAppendSignal ledger, AdjustmentAppendSignal adjustments,
        TimeProvider clock, ILogger<PostgresAppendRelay> logger)
    {
        _connectionString = options.Value.PostgresConnectionString;
        _ledger = ledger;
        _adjustments = adjustments;
        _clock = clock;
        _logger = logger;
        _ledger.AppendedHere += () => Note(ref _ledgerAppended);
        _adjustments.AppendedHere += () => Note(ref _adjustmentsAppended);
    }

    private void Note(ref int appended)
    {
        Volatile.Write(ref appended, 1);
        if (_pending.CurrentCount == 0)
        {
            try { _pending.Release(); }
            catch (SemaphoreFullException) { } // another commit has just done it
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => ListenAsync(stoppingToken), stoppingToken), Task.Run(() => SendAsync(stoppingToken), stoppingToken));

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _pending.WaitAsync(stoppingToken);
                var kinds = new List<string>(2);
                if (Interlocked.Exchange(ref _ledgerAppended, 0) == 1) kinds.Add(LedgerKind);
                if (Interlocked.Exchange(ref _adjustmentsAppended, 0) == 1) kinds.Add(AdjustmentsKind);
                if (kinds.Count == 0) continue;
                await using var command = dataSource.CreateCommand($"SELECT pg_notify('{Channel}', p) FROM unnest($1::text[]) AS p");
                command.Parameters.Add(new NpgsqlParameter { Value = kinds.Select(kind => kind + ":" + _replica).ToArray() });
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The other replicas poll; the next commit tries again.
                _logger.LogWarning(ex, "Could not notify the other replicas of appends; they will see them at their next poll");
                try { await Task.Delay(TimeSpan.FromSeconds(1), _clock, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, KeepAlive = 30 };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Heard(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Whatever was committed while this replica was not listening: every reader looks once.
                _ledger.Wake();
                _adjustments.Wake();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.IO.IOException)
            {
                _logger.LogWarning(ex, "Lost the notification connection; streams poll until it is back");
                try { await Task.Delay(TimeSpan.FromSeconds(1), _clock, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Heard(string payload)
    {
        var separator = payload.IndexOf(':');
        if (separator < 0 || payload.AsSpan(separator + 1).SequenceEqual(_replica)) return; // its own commits woke it already
        switch (payload[..separator])
        {
            case LedgerKind: _ledger.Wake(); break;
            case AdjustmentsKind: _adjustments.Wake(); break;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _pending.Dispose();
        base.Dispose();
    }
}
