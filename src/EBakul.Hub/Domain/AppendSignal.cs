namespace EBakul.Hub.Domain;

/// <summary>
/// Wakes stream readers when new rows are committed in this process. Readers also poll, so rows committed by
/// another hub process on the same database are seen too, only a little later.
/// </summary>
public abstract class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called after a commit that appended rows.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the next append, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _next).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
