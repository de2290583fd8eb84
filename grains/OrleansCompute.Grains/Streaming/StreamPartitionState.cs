namespace OrleansCompute.Grains.Streaming;

/// <summary>Persisted state of a partition: totals of its keys, per-producer dedup windows, and deltas not yet pushed.</summary>
public sealed class StreamPartitionState
{
    public Dictionary<string, KeyTotals> Totals { get; set; } = [];

    public Dictionary<string, ProducerWindow> Producers { get; set; } = [];

    /// <summary>Per aggregator shard, deltas waiting to be pushed, in sequence order. A delta is never
    /// changed once created: a push that failed may still have been applied, and a retry must be identical.</summary>
    public Dictionary<int, List<StreamDelta>> Outbox { get; set; } = [];

    public Dictionary<int, long> NextDeltaSequence { get; set; } = [];
}
