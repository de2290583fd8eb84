using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// One aggregator shard of a dataset (key <c>{dataset}/{shard}</c>): global totals of the keys hashed to it.
/// Held in memory and rebuilt after activation from the partitions' persisted totals; queries wait for that,
/// deltas never do.
/// </summary>
public interface IStreamAggregatorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Merges a partition's delta (or installs a full one). Returns false when the delta is not the next one
    /// this shard expects from that partition (another epoch, or a gap): the partition then sends a full delta.
    /// </summary>
    Task<bool> ApplyDelta(StreamDelta delta);

    Task<KeyTotals?> GetTotals(string key);

    /// <summary>The shard's top <paramref name="k"/> keys by <paramref name="metric"/> (<c>events</c>, or <c>{value}:sum|count|min|max|mean</c>).</summary>
    Task<List<KeyRank>> TopK(int k, string metric);
}
