using OrleansCompute.Runtime;

namespace OrleansCompute.Benchmarks.Cluster;

public interface IEchoGrain : IGrainWithIntegerKey
{
    Task<int> Echo(int value);

    Task<string> WhereAmI();
}

public sealed class EchoGrain(ILocalSiloDetails silo) : Grain, IEchoGrain
{
    public Task<int> Echo(int value) => Task.FromResult(value);

    public Task<string> WhereAmI() => Task.FromResult(silo.SiloAddress?.ToString() ?? "local");
}
