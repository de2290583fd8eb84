namespace OrleansCompute.Grains.Streaming;

/// <summary>Persisted state of an aggregator shard: global totals of its keys and, per partition, the last delta merged.</summary>
public sealed class StreamAggregatorState
{
    public Dictionary<string, KeyTotals> Totals { get; set; } = [];

    public Dictionary<string, long> LastDelta { get; set; } = [];
}
