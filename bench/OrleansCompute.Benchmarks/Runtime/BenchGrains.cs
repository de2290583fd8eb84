namespace OrleansCompute.Benchmarks.Runtime;

public interface IAdderGrain : IGrainWithIntegerKey
{
    Task<int> Add(int a, int b);
}

/// <summary>The grain under test; also used directly (no runtime) as the baseline.</summary>
public sealed class AdderGrain : Grain, IAdderGrain
{
    public AdderGrain()
    {
    }

    internal AdderGrain(OrleansCompute.Runtime.IGrainContext context) : base(context)
    {
    }

    public Task<int> Add(int a, int b) => Task.FromResult(a + b);
}
