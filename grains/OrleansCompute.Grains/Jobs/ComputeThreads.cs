namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Runs a grain's long synchronous work — mapping a split (CPU, and blocking reads of its input, e.g. ranged GETs of a
/// blob), planning (a scan of every CSV file), finishing a result — on a thread of its own instead of the thread pool.
/// The thread pool serves every activation's turns, the connections and the membership probes: a few seconds of it
/// held by map work delays pings and table reads until peers suspect the silo and it suspects itself isolated. A
/// dedicated thread per piece of work costs ~0.1 ms against work that takes tens of milliseconds to seconds.
/// At most one piece of work per core runs at once (the rest wait their turn, without a thread): more would only
/// time-slice the cores, switching contexts and sharing the caches between tables, and finish every split later.
/// </summary>
internal static class ComputeThreads
{
    private static readonly SemaphoreSlim s_cores = new(Environment.ProcessorCount);

    public static async Task<T> Run<T>(Func<T> work)
    {
        await s_cores.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        finally
        {
            s_cores.Release();
        }
    }
}
