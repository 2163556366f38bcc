using EBakul.Hub.Data;
using EBakul.Hub.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Folds new ledger entries into the spending aggregates (<see cref="ReportAggregates.FoldAsync"/>) in the background: woken
/// by an append (of this process or, on PostgreSQL, of another replica), it waits <see cref="ReportOptions.FoldInterval"/>
/// so that the appends meanwhile go into one write per regency, then folds every regency to its ledger's end. Reports do
/// not depend on it (they fold what is pending before they read); it keeps that catch-up short.
/// </summary>
public sealed class ReportFolding(LedgerAppendSignal appended, IServiceScopeFactory scopes, IOptions<ReportOptions> options,
    ILogger<ReportFolding> logger) : BackgroundService
{
    /// <summary>How long it sleeps without an append before it looks anyway (an append it was not woken for).</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FoldInterval;
        if (interval <= TimeSpan.Zero)
        {
            logger.LogInformation("Background fold of the spending aggregates is off (Reports:FoldInterval); reports fold before they read");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await appended.WaitAsync(LongestSleep, stoppingToken);
                await Task.Delay(interval, stoppingToken);
                // Resolved here, after the start: the writer opens the database, which the initializer creates first.
                using var scope = scopes.CreateScope();
                var aggregates = scope.ServiceProvider.GetRequiredService<ReportAggregates>();
                var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                foreach (var regency in await db.Regencies.AsNoTracking().Select(r => r.Code).ToListAsync(stoppingToken))
                    await aggregates.FoldAsync(db, regency, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Background fold of the spending aggregates failed; reports still fold before they read, retrying at the next append");
            }
        }
    }
}
