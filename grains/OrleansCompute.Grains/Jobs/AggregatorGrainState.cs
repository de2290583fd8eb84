namespace OrleansCompute.Grains.Jobs;

/// <summary>Persisted state of an aggregator: the merged partial (binary wire format) and the splits it covers.</summary>
public sealed class AggregatorGrainState
{
    public string JobId { get; set; } = "";

    public List<int> MergedSplits { get; set; } = [];

    public byte[]? Partial { get; set; }
}
