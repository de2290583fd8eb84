using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace OrleansCompute.Benchmarks.Cluster;

public interface IEchoGrain : IGrainWithIntegerKey
{
    Task<int> Echo(int value);

    Task<string> WhereAmI();
}

/// <summary>
/// Random placement (Orleans's default, resource-optimized placement, prefers the caller's silo): the benchmark then keeps
/// the keys whose activation landed on the other silo.
/// </summary>
[RandomPlacement]
public sealed class EchoGrain(ILocalSiloDetails silo) : Grain, IEchoGrain
{
    public Task<int> Echo(int value) => Task.FromResult(value);

    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress.ToString());
}
