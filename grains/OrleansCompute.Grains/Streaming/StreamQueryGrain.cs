using Orleans.Concurrency;
using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Implements <see cref="IStreamQueryGrain"/> by asking the aggregator shards.</summary>
[StatelessWorker]
public sealed class StreamQueryGrain : Grain, IStreamQueryGrain
{
    public Task<KeyTotals?> GetTotals(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return GrainFactory.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(this.GetPrimaryKeyString(), StreamTopology.ShardOf(key)))
            .GetTotals(key);
    }

    public async Task<List<KeyRank>> TopK(int k, string metric)
    {
        MetricSelector.Parse(metric); // fail fast on a bad metric
        var dataset = this.GetPrimaryKeyString();
        var perShard = await Task.WhenAll(Enumerable.Range(0, StreamTopology.Shards)
            .Select(s => GrainFactory.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(dataset, s)).TopK(k, metric)));
        return [.. perShard.SelectMany(r => r).OrderByDescending(r => r.Score).ThenBy(r => r.Key, StringComparer.Ordinal).Take(Math.Max(0, k))];
    }
}
