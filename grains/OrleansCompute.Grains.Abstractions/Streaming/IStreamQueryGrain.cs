using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Queries over a dataset's global totals (grain key = dataset name).</summary>
public interface IStreamQueryGrain : IGrainWithStringKey
{
    Task<KeyTotals?> GetTotals(string key);

    /// <summary>Top <paramref name="k"/> keys by <paramref name="metric"/> across all shards; ties by key, ordinal.</summary>
    Task<List<KeyRank>> TopK(int k, string metric);
}
