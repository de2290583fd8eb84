using System.Runtime.InteropServices;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>Runs a <see cref="ComputeJob{TKey, TValue, TResult}"/>: reads splits, merges, shards and finishes partials.</summary>
internal sealed class ComputeJobRunner<TKey, TValue, TResult> : IComputeJobRunner
    where TKey : notnull
{
    private readonly ComputeJob<TKey, TValue, TResult> _job;
    private readonly Func<TValue, TValue, TValue> _combine;
    private readonly IReadOnlyList<string> _columns;

    public ComputeJobRunner(ComputeJobSpec spec, ComputeJob<TKey, TValue, TResult> job)
    {
        Spec = spec;
        _job = job;
        _combine = job.Combine;
        _columns = job.Columns;
        if (_columns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            // One record field fills one column: a column listed twice would leave one of its uses empty.
            throw new ArgumentException($"Job kind '{spec.Kind}' lists column '{twice.Key}' twice in Columns; list each column once and use its index twice.", nameof(spec));
        }
        if (_columns.Count > 0 && spec.Input.Format == InputFormat.Text)
        {
            throw new ArgumentException($"Job kind '{spec.Kind}' reads columns ({string.Join(", ", _columns)}), so its input must be Csv or JsonLines, not Text.", nameof(spec));
        }

        if (spec.Input.Format == InputFormat.Csv && spec.Input.Delimiter is '"' or '\n' or '\r' or > (char)127)
        {
            throw new ArgumentException($"CSV delimiter '{spec.Input.Delimiter}' is not allowed (one ASCII character other than a quote or a newline).", nameof(spec));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(spec.Rejection.MaxSamples);
    }

    public ComputeJobSpec Spec { get; }

    public IComputePartial CreateEmpty() => NewPartial();

    public IComputePartial RunSplit(InputSplit split, Func<InputSplit, IRangeReader> open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(open);
        var partial = NewPartial();
        partial.SplitIds.Add(split.SplitId);
        var combiner = new Combiner<TKey, TValue>(partial.Entries, _combine);
        foreach (var range in split.Ranges)
        {
            using var reader = ShardResults.Reader(Spec, range, open(range));
            MapRange(range, reader, partial, combiner, cancellationToken);
        }

        combiner.FlushUtf8();
        return partial;
    }

    /// <summary>Maps one single-file range into <paramref name="partial"/> (adding to its records and bad records).</summary>
    private void MapRange(InputSplit range, SplitRecordReader reader, ComputePartial<TKey, TValue> partial, Combiner<TKey, TValue> combiner, CancellationToken cancellationToken)
    {
        var before = partial.Records;
        var maxSamples = Spec.Rejection.MaxSamples;
        if (_job is ISplitMapper<TKey, TValue> fast)
        {
            partial.Records = 0; // a fast path sets the records of the range it maps
            var mapped = fast.TryMapSplit(range, reader, partial, combiner, maxSamples, cancellationToken);
            partial.Records += before;
            if (mapped)
            {
                return;
            }
        }

        var bad = partial.BadRecords;
        var format = Spec.Input.Format;

        ColumnBuffer? columns = null;
        RecordProjector? projector = null;
        if (_columns.Count > 0)
        {
            columns = new ColumnBuffer(_columns.Count);
            projector = format == InputFormat.Csv
                ? new CsvProjector(range, _columns, Spec.Input.Delimiter)
                : new JsonLinesProjector(_columns);
        }

        long records = 0;
        while (reader.TryRead(out var bytes, out var offset))
        {
            if (bytes.IsEmpty && format != InputFormat.Text)
            {
                continue; // empty lines separate nothing in CSV and JSON Lines
            }

            if ((++records & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (projector is not null && !projector.TryProject(bytes, columns!, out var error))
            {
                AddBad(bad, maxSamples, range.Path, offset, error!);
                continue;
            }

            _job.Map(new ComputeRecord(bytes, columns, range.Path, offset), combiner);
            if (combiner.TakeRejection() is { } reason)
            {
                AddBad(bad, maxSamples, range.Path, offset, reason);
            }
        }

        partial.Records = before + records;
    }

    public IComputePartial Merge(IComputePartial target, IComputePartial source)
    {
        var into = Cast(target);
        var from = Cast(source);
        var (splits, records, bad) = ShardResults.MergeCounts(Spec, into, from);

        // Fold the smaller dictionary into the larger: combine is commutative, so either direction is exact.
        var (large, small) = into.Entries.Count >= from.Entries.Count ? (into.Entries, from.Entries) : (from.Entries, into.Entries);
        large.EnsureCapacity(large.Count + small.Count);
        foreach (var (key, value) in small)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(large, key, out var exists);
            slot = exists ? _combine(slot!, value) : value;
        }

        into.Entries = large;
        into.SplitIds = splits;
        into.Records = records;
        into.BadRecords = bad;
        return into;
    }

    public IReadOnlyList<IComputePartial> Shard(IComputePartial partial, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var source = Cast(partial);
        var shards = new ComputePartial<TKey, TValue>[shardCount];
        var capacity = (source.Entries.Count / shardCount) + (source.Entries.Count / (4 * shardCount)) + 16;
        for (var i = 0; i < shardCount; i++)
        {
            shards[i] = NewPartial();
            shards[i].Entries.EnsureCapacity(capacity);
            shards[i].SplitIds.AddRange(source.SplitIds);
        }

        shards[0].Records = source.Records;
        shards[0].BadRecords = source.BadRecords;
        foreach (var (key, value) in source.Entries)
        {
            shards[ShardOf(key, shardCount)].Entries.Add(key, value);
        }

        return shards;
    }

    public IComputePartial JoinShards(IReadOnlyList<IComputePartial> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var joined = NewPartial();
        if (shards.Count == 0)
        {
            return joined;
        }

        joined.SplitIds.AddRange(Cast(shards[0]).SplitIds);
        joined.Entries.EnsureCapacity(shards.Sum(s => s.KeyCount));
        foreach (var item in shards)
        {
            var shard = Cast(item);
            if (!shard.SplitIds.SequenceEqual(joined.SplitIds))
            {
                throw new InvalidOperationException(
                    $"Job '{Spec.JobId}': shards cover different splits ([{string.Join(", ", joined.SplitIds)}] and [{string.Join(", ", shard.SplitIds)}]); every shard must have merged every split.");
            }

            foreach (var (key, value) in shard.Entries)
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(joined.Entries, key, out var exists);
                slot = exists ? _combine(slot!, value) : value;
            }

            joined.Records += shard.Records;
            joined.BadRecords = BadRecords.Merge(joined.BadRecords, shard.BadRecords, Spec.Rejection.MaxSamples);
        }

        return joined;
    }

    public int GetShard(object key, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return ShardOf((TKey)key, shardCount);
    }

    public void CheckRejection(IComputePartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (BadRecords.Violation(Spec.JobId, Spec.Rejection, partial.BadRecords, partial.Records) is { } message)
        {
            throw new BadRecordThresholdExceededException(message);
        }
    }

    public ComputeJobResult Finish(IComputePartial merged)
    {
        var partial = Cast(merged);
        CheckRejection(partial);
        return ShardResults.Of(Spec, partial, _job.Finish(partial));
    }

    public bool JoinsShardResults => _job is IShardResultJoiner<TResult>;

    public ComputeJobResult FinishShard(IComputePartial shard)
    {
        var partial = Cast(shard);
        if (!JoinsShardResults)
        {
            throw new NotSupportedException($"Job kind '{Spec.Kind}' does not join shard results; join the shards and finish once.");
        }

        return ShardResults.Of(Spec, partial, _job.Finish(partial));
    }

    public ComputeJobResult JoinShardResults(IReadOnlyList<ComputeJobResult> shardResults) =>
        ShardResults.Join(Spec, shardResults, _job as IShardResultJoiner<TResult>
            ?? throw new NotSupportedException($"Job kind '{Spec.Kind}' does not join shard results; join the shards and finish once."));

    private static void AddBad(BadRecordSummary bad, int maxSamples, string path, long offset, string reason) =>
        BadRecords.Add(bad, maxSamples, path, offset, reason);

    private int ShardOf(TKey key, int shardCount) => (int)((uint)_job.GetStableHash(key) % (uint)shardCount);

    private ComputePartial<TKey, TValue> NewPartial() => new()
    {
        JobId = Spec.JobId,
        Entries = new Dictionary<TKey, TValue>(_job.KeyComparer),
    };

    private ComputePartial<TKey, TValue> Cast(IComputePartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        return partial as ComputePartial<TKey, TValue>
            ?? throw new ArgumentException($"Expected a partial of type {typeof(ComputePartial<TKey, TValue>).Name} for job kind '{Spec.Kind}', got {partial.GetType().Name}.", nameof(partial));
    }
}
