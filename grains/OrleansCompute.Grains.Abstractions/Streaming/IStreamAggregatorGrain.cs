namespace OrleansCompute.Grains.Streaming;

/// <summary>One aggregator shard of a dataset (key <c>{dataset}/{shard}</c>): global totals of the keys hashed to it.</summary>
public interface IStreamAggregatorGrain : IGrainWithStringKey
{
    /// <summary>Merges a partition's delta unless that partition's sequence was merged already.</summary>
    Task ApplyDelta(StreamDelta delta);

    Task<KeyTotals?> GetTotals(string key);

    /// <summary>The shard's top <paramref name="k"/> keys by <paramref name="metric"/> (<c>events</c>, or <c>{value}:sum|count|min|max|mean</c>).</summary>
    Task<List<KeyRank>> TopK(int k, string metric);
}
