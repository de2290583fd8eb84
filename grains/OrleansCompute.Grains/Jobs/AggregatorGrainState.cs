using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Persisted state of an aggregator: the merged partial (binary wire format) and the splits it covers.</summary>
[GenerateSerializer]
public sealed class AggregatorGrainState
{
    [Id(0)]
    public string JobId { get; set; } = "";

    [Id(1)]
    public List<int> MergedSplits { get; set; } = [];

    [Id(2)]
    public byte[]? Partial { get; set; }
}
