namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// Optional for a <see cref="ComputeJob{TKey, TValue, TResult}"/>: <c>Finish</c> over each aggregator shard (the
/// shards hold disjoint keys, as the key hash cut them) gives results that <see cref="JoinShardResults"/> joins into
/// exactly what <c>Finish</c> over the whole merged partial gives. Then each aggregator finishes its own shard (in
/// parallel, on the silo that holds it), the job grain only joins, and the job's result is not written a second
/// time: it stays in the aggregators' persisted shards and is finished again from them when a new activation is asked.
/// Word count implements it (sorted runs merged; top-k of the union is the top-k of the shards' top-ks).
/// </summary>
public interface IShardResultJoiner<TResult>
{
    /// <summary>Joins the per-shard results (in shard order) into the job's result.</summary>
    TResult JoinShardResults(IReadOnlyList<TResult> shardResults);
}
