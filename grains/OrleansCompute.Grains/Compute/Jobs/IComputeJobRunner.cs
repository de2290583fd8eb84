namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// What the grains call, whatever the kind: map a split into a partial (partition grain), merge partials
/// (aggregator grain; use a <see cref="MergeLedger"/> first so a retried split is merged once), shard a
/// partial by key hash, and finish. Thread-safe: splits may run concurrently.
/// </summary>
public interface IComputeJobRunner
{
    ComputeJobSpec Spec { get; }

    /// <summary>An empty partial of this job, covering no split.</summary>
    IComputePartial CreateEmpty();

    /// <summary>Reads one split (every range of it, as local files) and returns its partial. Bad records are counted, never thrown.</summary>
    IComputePartial RunSplit(InputSplit split, CancellationToken cancellationToken = default) =>
        RunSplit(split, ShardResults.LocalFiles, cancellationToken);

    /// <summary>
    /// Reads a split of one range from <paramref name="input"/> (opened by an input source; disposed here) and returns its
    /// partial. A packed split (<see cref="InputSplit.Parts"/>) is refused: it needs one reader per range (the overload below).
    /// </summary>
    IComputePartial RunSplit(InputSplit split, Reading.IRangeReader input, CancellationToken cancellationToken = default) =>
        RunSplit(split, ShardResults.SingleRange(split, input), cancellationToken);

    /// <summary>
    /// Reads every range of a split (<see cref="InputSplit.Ranges"/>, in order), each through the reader
    /// <paramref name="open"/> gives for it (disposed here once the range is read), into one partial.
    /// </summary>
    IComputePartial RunSplit(InputSplit split, Func<InputSplit, Reading.IRangeReader> open, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges <paramref name="source"/> into <paramref name="target"/> and returns the merged partial (which
    /// may reuse either one's storage; do not use <paramref name="source"/> afterwards). Throws when the two
    /// cover a common split: deduplicate with a <see cref="MergeLedger"/>.
    /// </summary>
    IComputePartial Merge(IComputePartial target, IComputePartial source);

    /// <summary>
    /// Splits a partial into <paramref name="shardCount"/> partials by stable key hash, each covering the same
    /// splits; record and bad-record counts go to shard 0 only, so they add up once.
    /// </summary>
    IReadOnlyList<IComputePartial> Shard(IComputePartial partial, int shardCount);

    /// <summary>
    /// Says <paramref name="partial"/> will not be used again (a split's partial once sharded, an aggregator's
    /// when it deactivates), so a runner that rents its storage can give it back. It is left empty. Default: nothing.
    /// </summary>
    void Release(IComputePartial partial)
    {
    }

    /// <summary>
    /// Joins the merged shards of one job (as <see cref="Shard"/> cut them: disjoint keys, the same splits) into
    /// one partial covering those splits, without changing the inputs. Throws when the shards cover different splits.
    /// </summary>
    IComputePartial JoinShards(IReadOnlyList<IComputePartial> shards);

    /// <summary>The shard (0..count-1) of a key, as <see cref="Shard"/> assigns it.</summary>
    int GetShard(object key, int shardCount);

    /// <summary>Throws <see cref="BadRecordThresholdExceededException"/> when the partial's bad records exceed the policy.</summary>
    void CheckRejection(IComputePartial partial);

    /// <summary>Checks the rejection policy and turns the fully merged partial into the job's result.</summary>
    ComputeJobResult Finish(IComputePartial merged);

    /// <summary>The kind finishes shards separately and joins their results (<see cref="IShardResultJoiner{TResult}"/>).</summary>
    bool JoinsShardResults { get; }

    /// <summary>One aggregator shard's result (no rejection check: the joined counts are checked); only when <see cref="JoinsShardResults"/>.</summary>
    ComputeJobResult FinishShard(IComputePartial shard);

    /// <summary>
    /// Joins every shard's <see cref="FinishShard"/> result (in shard order) into the job's result, checking the
    /// rejection policy on the joined counts: the same result <see cref="Finish"/> gives over the joined shards.
    /// </summary>
    ComputeJobResult JoinShardResults(IReadOnlyList<ComputeJobResult> shardResults);
}
