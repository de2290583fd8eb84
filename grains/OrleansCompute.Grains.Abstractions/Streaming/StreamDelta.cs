namespace OrleansCompute.Grains.Streaming;

/// <summary>What a partition adds to one aggregator shard; <see cref="Sequence"/> makes applying it idempotent.</summary>
[GenerateSerializer]
public sealed class StreamDelta
{
    [Id(0)]
    public string PartitionId { get; set; } = "";

    [Id(1)]
    public long Sequence { get; set; }

    [Id(2)]
    public Dictionary<string, KeyTotals> Keys { get; set; } = [];
}
