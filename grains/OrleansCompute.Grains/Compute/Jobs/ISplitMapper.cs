using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// A built-in kind's fast path: maps a whole split itself (its own read loop, tables and accumulators)
/// instead of one <see cref="ComputeJob{TKey, TValue, TResult}.Map"/> call per record. It must give exactly
/// the partial the per-record path gives (same entries, record count and bad records).
/// </summary>
internal interface ISplitMapper<TKey, TValue>
    where TKey : notnull
{
    /// <summary>
    /// Maps <paramref name="split"/> into <paramref name="partial"/> (entries through <paramref name="combiner"/>
    /// or directly, plus <c>Records</c> and <c>BadRecords</c>); false, having done nothing, when this split is not
    /// one the fast path handles (the runner then reads it record by record). It reads the split through
    /// <paramref name="reader"/> (a local file or a remote source such as a blob), never by opening <c>split.Path</c>.
    /// </summary>
    bool TryMapSplit(InputSplit split, SplitRecordReader reader, ComputePartial<TKey, TValue> partial, Combiner<TKey, TValue> combiner, int maxSamples, CancellationToken cancellationToken);
}
