namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// Remembers which splits of a job an aggregator has merged, so a partial that arrives twice (a retried
/// split, a re-sent message) is merged once. Not thread-safe: an aggregator grain runs one turn at a time.
/// Persist <see cref="MergedSplits"/> with the merged partial to keep the guarantee across reactivation.
/// </summary>
public sealed class MergeLedger
{
    private readonly HashSet<int> _merged = [];

    public MergeLedger(string jobId, IEnumerable<int>? mergedSplits = null)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        JobId = jobId;
        if (mergedSplits is not null)
        {
            _merged.UnionWith(mergedSplits);
        }
    }

    public string JobId { get; }

    public IReadOnlyCollection<int> MergedSplits => _merged;

    public bool Contains(int splitId) => _merged.Contains(splitId);

    /// <summary>
    /// Records the partial's splits as merged and returns true if none was merged before; returns false
    /// (merge nothing) if all were. A partial that overlaps the merged set only in part cannot be merged
    /// exactly and is refused with <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool TryAdd(IComputePartial partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (!string.Equals(partial.JobId, JobId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"A partial of job '{partial.JobId}' was sent to the ledger of job '{JobId}'.");
        }

        var seen = 0;
        foreach (var split in partial.SplitIds)
        {
            if (_merged.Contains(split))
            {
                seen++;
            }
        }

        if (seen == partial.SplitIds.Count && seen > 0)
        {
            return false;
        }

        if (seen > 0)
        {
            throw new InvalidOperationException(
                $"Job '{JobId}': a partial covering splits [{string.Join(", ", partial.SplitIds)}] overlaps splits already merged; send one partial per split.");
        }

        _merged.UnionWith(partial.SplitIds);
        return true;
    }
}
