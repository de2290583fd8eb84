using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>One (producer, sequence) a partition accepted, with its batch's content fingerprint (0: recorded before fingerprints).</summary>
[GenerateSerializer]
public sealed record ProducerSequence([property: Id(0)] string ProducerId, [property: Id(1)] long Sequence, [property: Id(2)] ulong Fingerprint = 0);

/// <summary>
/// One record of a partition's log: the batches accepted by one group commit and, per aggregator shard,
/// the per-key increments they add. Replaying the records in order over the snapshot rebuilds the state.
/// Serialized packed, through <see cref="PartitionLogRecordConverter"/>.
/// </summary>
public sealed class PartitionLogRecord
{
    public List<ProducerSequence> Batches { get; set; } = [];

    /// <summary>Index = aggregator shard; each holds per-key increments.</summary>
    public List<Dictionary<string, KeyTotals>> Shards { get; set; } = [];
}

/// <summary>A partition's whole state at one log sequence: totals per shard and the producers' dedup windows.</summary>
[GenerateSerializer]
public sealed class PartitionSnapshot
{
    [Id(0)]
    public List<Dictionary<string, KeyTotals>> Shards { get; set; } = [];

    [Id(1)]
    public Dictionary<string, ProducerWindow> Producers { get; set; } = [];
}
