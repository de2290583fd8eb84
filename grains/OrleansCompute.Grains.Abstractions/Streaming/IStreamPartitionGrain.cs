using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>One partition of a dataset (key <c>{dataset}/{partition}</c>): running totals of its keys, persisted.</summary>
public interface IStreamPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies the events unless this producer's sequence was applied already; returns how many were applied.
    /// Returns only after the events (or, for a duplicate, the original) are persisted and merged into the aggregators.
    /// <paramref name="fingerprint"/> identifies the content of the whole batch (every partition gets it, with or without
    /// events of its own): a recorded sequence with another fingerprint, or one below the producer's window, throws
    /// <see cref="IngestConflictException"/> and applies nothing. 0 = unknown (accepted as a duplicate, as before fingerprints).
    /// </summary>
    Task<int> Apply(string producerId, long sequence, ulong fingerprint, [Immutable] List<IngestEvent> events);

    Task<KeyTotals?> GetTotals(string key);

    /// <summary>The persisted totals of every key of aggregator shard <paramref name="shard"/>, as a full delta (for an aggregator catching up after its activation).</summary>
    Task<StreamDelta> GetShardSnapshot(int shard);
}
