using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// What a partition sends one aggregator shard. A partition activation numbers its deltas to each shard
/// 1, 2, 3… under a fresh <see cref="Epoch"/>; the aggregator merges a delta only when it is the next one of
/// the epoch it holds for that partition, so a re-sent delta is merged once and a lost one is noticed.
/// Full deltas (absolute totals) are ordered across epochs by <see cref="Position"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class StreamDelta
{
    [Id(0)]
    public string PartitionId { get; set; } = "";

    [Id(1)]
    public long Sequence { get; set; }

    /// <summary>Increments per key (or, when <see cref="Full"/>, the partition's totals of every key of the shard).</summary>
    [Id(2)]
    public Dictionary<string, KeyTotals> Keys { get; set; } = [];

    /// <summary>Identifies the partition activation that numbered this delta.</summary>
    [Id(3)]
    public string Epoch { get; set; } = "";

    /// <summary>True: <see cref="Keys"/> are absolute totals that replace the aggregator's (a resynchronization).</summary>
    [Id(4)]
    public bool Full { get; set; }

    /// <summary>
    /// The sequence of the partition's last log record these totals include. The log's sequence grows across
    /// activations (a new activation replays the log and appends after it), so of two full deltas from one partition the
    /// one with the higher position is the newer, whichever activation sent it; equal positions hold equal totals.
    /// </summary>
    [Id(5)]
    public long Position { get; set; }
}
