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
