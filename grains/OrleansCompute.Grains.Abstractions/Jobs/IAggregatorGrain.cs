using Orleans;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// One key-hash shard of a job's result (key <c>{jobId}/{shard}</c>). Merges each split's shard once (a
/// <c>MergeLedger</c> persisted with the merged partial) and acknowledges only after persisting.
/// </summary>
public interface IAggregatorGrain : IGrainWithStringKey
{
    /// <summary>Merges <paramref name="shard"/> unless its split was merged before; returns whether it merged.</summary>
    Task<bool> Merge(ComputeJobSpec spec, IComputePartial shard);

    /// <summary>The merged partial so far, with the splits it covers.</summary>
    Task<IComputePartial> GetMerged(ComputeJobSpec spec);

    /// <summary>
    /// This shard finished on its own (for kinds that join shard results, <c>IShardResultJoiner</c>), with the splits
    /// it covers; reflects only merges already persisted. The job's result is the join of every shard's.
    /// </summary>
    Task<ShardResult> Finish(ComputeJobSpec spec);

    /// <summary>Deletes the persisted shard (after the job persisted its result, or when it was cancelled).</summary>
    Task Clear();
}
