using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamAggregatorGrain"/>. Holds its shard's global totals in memory only: every key
/// lives in exactly one partition, so the shard's totals are the union of the partitions' persisted totals
/// for its keys. On activation it asks each partition for them (<see cref="IStreamPartitionGrain.GetShardSnapshot"/>);
/// afterwards each partition pushes numbered increments (<see cref="StreamDelta"/>), merged exactly once per
/// (partition epoch, sequence). Nothing is written here, so a batch costs no aggregator write.
/// </summary>
public sealed class StreamAggregatorGrain : Grain, IStreamAggregatorGrain
{
    private readonly Dictionary<string, KeyTotals> _totals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Epoch, long Sequence)> _partitions = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var dataset = StreamTopology.DatasetOf(key);
        var shard = int.Parse(key.AsSpan(key.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture);

        // Not from the synchronous start of activation, which Orleans runs holding this activation's lock: a partition
        // pushing to this shard at the same moment holds its own lock and waits for ours (see StreamPartitionGrain.CommitLoopAsync).
        await Task.Yield();
        var snapshots = await Task.WhenAll(Enumerable.Range(0, StreamTopology.Partitions).Select(p => GrainFactory
            .GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, p))
            .GetShardSnapshot(shard)));
        foreach (var snapshot in snapshots)
        {
            Install(snapshot);
        }
    }

    public Task<bool> ApplyDelta(StreamDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var known = _partitions.TryGetValue(delta.PartitionId, out var at);
        if (delta.Full)
        {
            if (!known || at.Epoch != delta.Epoch || delta.Sequence > at.Sequence)
            {
                Install(delta);
            }

            return Task.FromResult(true);
        }

        if (!known || at.Epoch != delta.Epoch || delta.Sequence > at.Sequence + 1)
        {
            return Task.FromResult(false); // not the next one of the epoch we hold: ask for a full delta
        }

        if (delta.Sequence <= at.Sequence)
        {
            return Task.FromResult(true); // merged already (a re-push)
        }

        foreach (var (key, increment) in delta.Keys)
        {
            if (_totals.TryGetValue(key, out var mine))
            {
                mine.Merge(increment);
            }
            else
            {
                _totals[key] = increment; // the delta is handed over: the partition no longer touches it
            }
        }

        _partitions[delta.PartitionId] = (delta.Epoch, delta.Sequence);
        return Task.FromResult(true);
    }

    public Task<KeyTotals?> GetTotals(string key) => Task.FromResult(_totals.GetValueOrDefault(key)?.Clone());

    public Task<List<KeyRank>> TopK(int k, string metric)
    {
        var score = MetricSelector.Parse(metric);
        var ranked = _totals
            .Select(p => new KeyRank(p.Key, score(p.Value), p.Value))
            .Where(r => double.IsFinite(r.Score)) // NaN: the key lacks that value; ±∞: a sum that overflowed before values were bounded
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, k))
            .Select(r => r with { Totals = r.Totals.Clone() })
            .ToList();
        return Task.FromResult(ranked);
    }

    /// <summary>Absolute totals of a partition's keys replace ours (each key belongs to exactly one partition).</summary>
    private void Install(StreamDelta full)
    {
        foreach (var (key, totals) in full.Keys)
        {
            _totals[key] = totals;
        }

        _partitions[full.PartitionId] = (full.Epoch, full.Sequence);
    }
}
