using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Persisted state of a job registry replica: ids of the jobs it keeps alive.</summary>
[GenerateSerializer]
public sealed class JobRegistryState
{
    [Id(0)]
    public List<string> Jobs { get; set; } = [];
}
