namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Runs async actions one after another inside a reentrant grain (e.g. state writes, which must not overlap:
/// two concurrent writes of one grain's state would race on the ETag). Not thread-safe: one activation's turns.
/// </summary>
internal sealed class SerialGate
{
    private Task _tail = Task.CompletedTask;

    public async Task Run(Func<Task> action)
    {
        var previous = _tail;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _tail = done.Task;
        try
        {
            await previous; // never faults: it is an earlier caller's 'done'
            await action();
        }
        finally
        {
            done.SetResult();
        }
    }
}
