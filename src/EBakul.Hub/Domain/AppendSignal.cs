namespace EBakul.Hub.Domain;

/// <summary>
/// Wakes stream readers when new rows are committed. <see cref="Notify"/> reports a commit of this process; on
/// PostgreSQL, <see cref="Data.Postgres.PostgresAppendRelay"/> passes it to the other replicas and calls
/// <see cref="Wake"/> for theirs. Readers also poll (<see cref="Data.DatabaseOptions.StreamPollInterval"/>), so rows
/// committed by another process are seen even when no notification reaches them, only later.
/// </summary>
public abstract class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Raised by <see cref="Notify"/>, on the committing thread: a handler must only take note (the relay to other
    /// replicas sends its notification on its own task).
    /// </summary>
    public event Action? AppendedHere;

    /// <summary>Called after a commit of this process that appended rows.</summary>
    public void Notify()
    {
        Wake();
        AppendedHere?.Invoke();
    }

    /// <summary>Wakes the readers for rows another process committed.</summary>
    public void Wake() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

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
