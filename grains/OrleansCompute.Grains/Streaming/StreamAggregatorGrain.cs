using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamAggregatorGrain"/>. Holds its shard's global totals in memory only: every key
/// lives in exactly one partition, so the shard's totals are the union of the partitions' persisted totals
/// for its keys. Each partition pushes numbered increments (<see cref="StreamDelta"/>), merged exactly once per
/// (partition epoch, sequence). Nothing is written here, so a batch costs no aggregator write.
/// </summary>
/// <remarks>
/// <para><b>Catching up.</b> A new activation knows no partition. It accepts deltas at once: an increment from a partition
/// it does not hold is refused, and the partition answers with its full totals. Beside that it asks every partition it
/// still lacks for its shard (<see cref="IStreamPartitionGrain.GetShardSnapshot"/>), after its activation, never during
/// it: a partition that is deactivating (moving to another silo, or its silo stopping) finishes its commit loop first,
/// whose push to this shard Orleans would hold until this activation ended, while the partition held this activation's
/// snapshot request until it had moved — a call cycle that only Orleans's 30 s response timeout broke (it stalled ingest
/// under churn). Queries (<see cref="GetTotals"/>, <see cref="TopK"/>) wait until every partition is held, so an answer
/// never misses a partition; the grain is reentrant so that deltas are merged while a query waits.</para>
/// <para><b>Ordering.</b> Of two full deltas from one partition the one with the higher log <see cref="StreamDelta.Position"/>
/// wins, whichever activation sent it: a snapshot answered by a partition's previous activation that arrives after its
/// next activation's push is not installed over it.</para>
/// </remarks>
[Reentrant]
public sealed partial class StreamAggregatorGrain(ILogger<StreamAggregatorGrain> logger) : Grain, IStreamAggregatorGrain
{
    private readonly Dictionary<string, KeyTotals> _totals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Held> _partitions = new(StringComparer.Ordinal);
    private string _dataset = "";
    private int _shard;
    private Task? _catchUp;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _dataset = StreamTopology.DatasetOf(key);
        _shard = int.Parse(key.AsSpan(key.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture);
        _catchUp = CatchUpAsync(); // ready for the first query; it runs after this activation, see the remarks
        return Task.CompletedTask;
    }

    public Task<bool> ApplyDelta(StreamDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Full)
        {
            InstallIfNewer(delta);
            return Task.FromResult(true);
        }

        if (!_partitions.TryGetValue(delta.PartitionId, out var at) || at.Epoch != delta.Epoch || delta.Sequence > at.Sequence + 1)
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

        _partitions[delta.PartitionId] = new Held(delta.Epoch, delta.Sequence, delta.Position);
        return Task.FromResult(true);
    }

    public async Task<KeyTotals?> GetTotals(string key)
    {
        await CaughtUpAsync();
        return _totals.GetValueOrDefault(key)?.Clone();
    }

    public async Task<List<KeyRank>> TopK(int k, string metric)
    {
        var score = MetricSelector.Parse(metric);
        await CaughtUpAsync();
        return _totals
            .Select(p => new KeyRank(p.Key, score(p.Value), p.Value))
            .Where(r => double.IsFinite(r.Score)) // NaN: the key lacks that value; ±∞: a sum that overflowed before values were bounded
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, k))
            .Select(r => r with { Totals = r.Totals.Clone() })
            .ToList();
    }

    private bool HoldsEveryPartition => _partitions.Count == StreamTopology.Partitions;

    /// <summary>Completes once every partition's totals are held; a catch-up that failed is tried again for the partitions still missing.</summary>
    private Task CaughtUpAsync()
    {
        if (HoldsEveryPartition)
        {
            return Task.CompletedTask;
        }

        if (_catchUp is not { IsCompleted: false })
        {
            _catchUp = CatchUpAsync();
        }

        return WaitAsync(_catchUp);

        async Task WaitAsync(Task catchUp)
        {
            await catchUp;
            if (!HoldsEveryPartition)
            {
                throw new TimeoutException(
                    $"Aggregator {this.GetPrimaryKeyString()} could not read the totals of {StreamTopology.Partitions - _partitions.Count} partition(s) yet; try again.");
            }
        }
    }

    /// <summary>Asks every partition not held yet for its shard. Never throws: a failure leaves partitions missing, and the next query tries again.</summary>
    private async Task CatchUpAsync()
    {
        await Task.Yield(); // out of the turn that started it (the activation's): see the remarks
        var missing = Enumerable.Range(0, StreamTopology.Partitions)
            .Select(p => StreamTopology.PartitionKey(_dataset, p))
            .Where(p => !_partitions.ContainsKey(p))
            .ToList();
        try
        {
            await Task.WhenAll(missing.Select(async p => InstallIfNewer(await GrainFactory.GetGrain<IStreamPartitionGrain>(p).GetShardSnapshot(_shard))));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCatchUpFailed(logger, this.GetPrimaryKeyString(), StreamTopology.Partitions - _partitions.Count, ex);
        }
    }

    /// <summary>Absolute totals of a partition's keys replace ours (each key belongs to exactly one partition), unless we hold newer ones.</summary>
    private void InstallIfNewer(StreamDelta full)
    {
        if (_partitions.TryGetValue(full.PartitionId, out var at)
            && (full.Position < at.Position || (full.Position == at.Position && full.Epoch == at.Epoch && full.Sequence <= at.Sequence)))
        {
            return;
        }

        // Keys the partition held before are in the new totals too (a partition's totals only grow), so replacing per key is enough.
        foreach (var (key, totals) in full.Keys)
        {
            _totals[key] = totals;
        }

        _partitions[full.PartitionId] = new Held(full.Epoch, full.Sequence, full.Position);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aggregator {Aggregator} could not read every partition's totals ({Missing} missing); the next query tries again")]
    private static partial void LogCatchUpFailed(ILogger logger, string aggregator, int missing, Exception exception);

    /// <summary>What this shard holds of a partition: the epoch and sequence of the last delta merged, and its log position.</summary>
    private readonly record struct Held(string Epoch, long Sequence, long Position);
}
