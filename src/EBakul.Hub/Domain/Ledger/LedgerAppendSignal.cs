namespace EBakul.Hub.Domain.Ledger;

/// <summary>
/// Wakes change-feed readers when new ledger entries are committed in this process. Readers also poll, so
/// entries committed by another hub process on the same database are seen too, only a little later.
/// </summary>
public sealed class LedgerAppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called after a commit that appended entries.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the next append, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next).Task;
        try
        {
            await next.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
