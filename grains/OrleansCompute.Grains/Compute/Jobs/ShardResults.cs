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
