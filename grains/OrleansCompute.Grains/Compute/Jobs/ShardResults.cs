namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>What every runner does the same way with splits and shard results.</summary>
internal static class ShardResults
{
    /// <summary>
    /// Joins the per-shard results (in shard order) of a kind that finishes shards separately: counts add up, bad
    /// record samples merge, the rejection policy is checked on the joined counts, and the values are joined.
    /// </summary>
    public static ComputeJobResult Join<TResult>(ComputeJobSpec spec, IReadOnlyList<ComputeJobResult> shardResults, IShardResultJoiner<TResult> joiner)
    {
        ArgumentNullException.ThrowIfNull(shardResults);
        ArgumentOutOfRangeException.ThrowIfZero(shardResults.Count);
        long records = 0;
        var bad = new BadRecordSummary();
        var values = new TResult[shardResults.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var shard = shardResults[i];
            records += shard.Records;
            bad = BadRecords.Merge(bad, shard.BadRecords, spec.Rejection.MaxSamples);
            values[i] = shard.Value is TResult value ? value
                : throw new ArgumentException($"Shard {i} of job '{spec.JobId}' holds a {shard.Value?.GetType().Name ?? "null"}, not a {typeof(TResult).Name}.", nameof(shardResults));
        }

        if (BadRecords.Violation(spec.JobId, spec.Rejection, bad, records) is { } message)
        {
            throw new BadRecordThresholdExceededException(message);
        }

        return new ComputeJobResult
        {
            JobId = spec.JobId,
            Kind = spec.Kind,
            Records = records,
            Splits = shardResults[0].Splits,
            BadRecords = bad,
            Value = joiner.JoinShardResults(values),
        };
    }

    /// <summary>A job's (or one shard's) result: the counts of <paramref name="partial"/> and the kind's value.</summary>
    public static ComputeJobResult Of(ComputeJobSpec spec, IComputePartial partial, object? value) => new()
    {
        JobId = spec.JobId,
        Kind = spec.Kind,
        Records = partial.Records,
        Splits = partial.SplitIds.Count,
        BadRecords = partial.BadRecords,
        Value = value,
    };

    /// <summary>The record reader of one single-file range of <paramref name="spec"/>'s input, from an opened local file or source (owned by the reader).</summary>
    public static Reading.SplitRecordReader Reader(ComputeJobSpec spec, InputSplit range, Reading.IRangeReader input)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(input);
        return new Reading.SplitRecordReader(input, range.Start, range.End, csvQuotes: spec.Input.Format == InputFormat.Csv, csvDelimiter: spec.Input.Delimiter);
    }

    /// <summary>Opens a range as a local file (the default of <see cref="IComputeJobRunner.RunSplit(InputSplit, CancellationToken)"/>).</summary>
    public static readonly Func<InputSplit, Reading.IRangeReader> LocalFiles = static range => new Reading.FileRangeReader(range.Path);

    /// <summary><paramref name="input"/> as the opener of a split of one range; a packed split is refused (and the reader disposed).</summary>
    public static Func<InputSplit, Reading.IRangeReader> SingleRange(InputSplit split, Reading.IRangeReader input)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(input);
        if (split.Parts is not null)
        {
            input.Dispose();
            throw new ArgumentException($"Split {split.SplitId} packs {split.Parts.Count} file ranges: read it with RunSplit(split, open), which opens each range.", nameof(split));
        }

        var used = false;
        return range =>
        {
            if (used)
            {
                throw new InvalidOperationException("A single-range reader was asked for a second range.");
            }

            used = true;
            return input;
        };
    }

    /// <summary>
    /// The splits, records and bad records of <paramref name="into"/> merged with <paramref name="from"/>: the same job
    /// (else <see cref="InvalidOperationException"/>), no split in both (each split is merged once).
    /// </summary>
    public static (List<int> Splits, long Records, BadRecordSummary Bad) MergeCounts(ComputeJobSpec spec, IComputePartial into, IComputePartial from)
    {
        if (!string.Equals(into.JobId, from.JobId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cannot merge a partial of job '{from.JobId}' into one of job '{into.JobId}'.");
        }

        return (UnionDisjoint([.. into.SplitIds], [.. from.SplitIds], into.JobId), into.Records + from.Records,
            BadRecords.Merge(into.BadRecords, from.BadRecords, spec.Rejection.MaxSamples));
    }

    /// <summary>The union of two ascending split lists that must not share a split (each split is merged once).</summary>
    public static List<int> UnionDisjoint(List<int> a, List<int> b, string jobId)
    {
        var result = new List<int>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            if (i < a.Count && j < b.Count && a[i] == b[j])
            {
                throw new InvalidOperationException($"Job '{jobId}': split {a[i]} is in both partials; merge each split once (see MergeLedger).");
            }

            result.Add(j >= b.Count || (i < a.Count && a[i] < b[j]) ? a[i++] : b[j++]);
        }

        return result;
    }
}
