using System.Globalization;
using OrleansCompute.Runtime;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Implements <see cref="IStreamAggregatorGrain"/>: merges partition deltas exactly once (per-partition sequence).</summary>
public sealed class StreamAggregatorGrain([PersistentState("stream-aggregator")] IPersistentState<StreamAggregatorState> state)
    : Grain, IStreamAggregatorGrain
{
    public async Task ApplyDelta(StreamDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var s = state.State;
        if (s.LastDelta.TryGetValue(delta.PartitionId, out var last) && delta.Sequence <= last)
        {
            return; // merged already (the partition is re-pushing after a failure)
        }

        foreach (var (key, totals) in delta.Keys)
        {
            if (!s.Totals.TryGetValue(key, out var mine))
            {
                s.Totals[key] = mine = new KeyTotals();
            }

            mine.Merge(totals);
        }

        s.LastDelta[delta.PartitionId] = delta.Sequence;
        await state.WriteStateAsync();
    }

    public Task<KeyTotals?> GetTotals(string key) => Task.FromResult(state.State.Totals.GetValueOrDefault(key));

    public Task<List<KeyRank>> TopK(int k, string metric)
    {
        var score = MetricSelector.Parse(metric);
        var ranked = state.State.Totals
            .Select(p => new KeyRank(p.Key, score(p.Value), p.Value))
            .Where(r => !double.IsNaN(r.Score))
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, k))
            .ToList();
        return Task.FromResult(ranked);
    }
}
