namespace OrleansCompute.Grains.Jobs;

/// <summary>Persisted state of a job registry replica: ids of the jobs it keeps alive.</summary>
public sealed class JobRegistryState
{
    public List<string> Jobs { get; set; } = [];
}
