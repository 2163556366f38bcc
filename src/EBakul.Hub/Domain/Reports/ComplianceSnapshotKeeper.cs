using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using Microsoft.Extensions.Options;

namespace EBakul.Hub.Domain.Reports;

/// <summary>
/// Keeps the compliance evaluations (<see cref="ComplianceSnapshots"/>) of the current and the previous month, Asia/Jakarta,
/// refreshed in the background for every served regency with a quota policy in force for the month: once at start (after
/// the database initializer) and then every <see cref="ReportOptions.ComplianceRefreshInterval"/>. So a month is built
/// shortly after it begins, a new policy version is absorbed, and a compliance report refreshes only what changed since
/// the last round. The previous month is kept even after its close: a correction may still change it. After a round in
/// which every month refreshed, the change positions those months have passed are trimmed
/// (<see cref="ComplianceSnapshots.TrimChangesAsync"/>). A closed month's spending report (the regency's, as asked by
/// default) is computed in the same round and kept (<see cref="ClosedMonthReports"/>). A failure is logged and the month
/// is tried again the next round.
/// </summary>
public sealed class ComplianceSnapshotKeeper(
    IServiceScopeFactory scopes, RegencyDirectory directory, IOptions<ReportOptions> options, TimeProvider clock, ILogger<ComplianceSnapshotKeeper> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ComplianceRefreshInterval;
        if (interval <= TimeSpan.Zero) return;
        // The store's calls may run synchronously (Microsoft.Data.Sqlite): the host's start does not wait for the first round.
        await Task.Yield();
        try
        {
            while (true)
            {
                await KeepAsync(stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Once a month is closed, computes its regency's spending report as a caller asks it by default (the whole regency,
    /// <see cref="SpendingReports.DefaultTopMerchantCount"/> merchants per top list), so that it is kept
    /// (<see cref="ClosedMonthReports"/>) before anyone asks; later rounds find it kept and read only the month's state.
    /// </summary>
    private async Task KeepClosedSpendingReportAsync(IServiceProvider services, string regencyCode, Period period, CancellationToken cancellationToken)
    {
        try
        {
            var db = services.GetRequiredService<EBakul.Hub.Data.HubDbContext>();
            if (await services.GetRequiredService<ClosedMonthReports>().ClosedRevisionAsync(db, regencyCode, period, cancellationToken) is null) return;
            await services.GetRequiredService<SpendingReports>().MonthAsync(regencyCode, period, null, SpendingReports.DefaultTopMerchantCount,
                cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not a refresh's failure: the compliance positions may still be trimmed; the report is computed by its first caller.
            logger.LogWarning(ex, "Computing the closed month's spending report of {Regency} {Period} in the background failed; tried again in {Interval}",
                regencyCode, period, options.Value.ComplianceRefreshInterval);
        }
    }

    /// <summary>One round: refreshes the kept months of every regency, then trims the changes they have all passed.</summary>
    public async Task KeepAsync(CancellationToken cancellationToken)
    {
        var current = Period.Containing(clock.GetUtcNow());
        var kept = new List<(string RegencyCode, Period Period)>();
        var failures = 0;
        foreach (var regency in directory.Regencies.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var period in new[] { current, current.Previous })
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    if (await scope.ServiceProvider.GetRequiredService<QuotaPolicies>().InForceAsync(regency, period, cancellationToken) is null) continue;
                    await scope.ServiceProvider.GetRequiredService<ComplianceSnapshots>().RefreshAsync(regency, period, cancellationToken, routine: true);
                    kept.Add((regency, period));
                    await KeepClosedSpendingReportAsync(scope.ServiceProvider, regency, period, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failures++;
                    logger.LogWarning(ex, "Refreshing the compliance evaluations of {Regency} {Period} in the background failed; tried again in {Interval}",
                        regency, period, options.Value.ComplianceRefreshInterval);
                }
            }
        }
        // A month that failed keeps its older position: trimming past it would make its next refresh a whole evaluation.
        if (failures > 0 || kept.Count == 0) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var (changes, months) = await scope.ServiceProvider.GetRequiredService<ComplianceSnapshots>().TrimChangesAsync(kept, cancellationToken);
            if (changes > 0 || months > 0)
                logger.LogInformation("Compliance changes trimmed: {Changes} positions every kept month has passed deleted, {Months} older months " +
                                      "forgotten (evaluated whole when next asked for)", changes, months);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Trimming the compliance changes failed; tried again in {Interval}", options.Value.ComplianceRefreshInterval);
        }
    }
}
