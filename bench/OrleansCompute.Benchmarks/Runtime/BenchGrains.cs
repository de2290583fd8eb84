using Orleans;

namespace OrleansCompute.Benchmarks.Runtime;

public interface IAdderGrain : IGrainWithIntegerKey
{
    Task<int> Add(int a, int b);
}

/// <summary>The grain under test; also constructed directly (no silo) as the baseline.</summary>
public sealed class AdderGrain : Grain, IAdderGrain
{
    public Task<int> Add(int a, int b) => Task.FromResult(a + b);
}

/// <summary>Makes grain-to-grain calls from inside a grain (the hot paths' shape: ingest → partitions → aggregators).</summary>
public interface ICallerGrain : IGrainWithIntegerKey
{
    /// <summary>Awaits <paramref name="calls"/> calls to <paramref name="target"/>, one after the other.</summary>
    Task Call(IAdderGrain target, int calls);
}

public sealed class CallerGrain : Grain, ICallerGrain
{
    public async Task Call(IAdderGrain target, int calls)
    {
        for (var n = 0; n < calls; n++)
        {
            await target.Add(n, 1);
        }
    }
}
