using Orleans;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Maps one split (key <c>{jobId}/{splitId}</c>): runs it, cuts the partial into one shard per aggregator by
/// key hash and merges each shard into aggregator <c>{jobId}/{shard}</c>. Keeps no state: a failed call is
/// simply retried by the job grain, and the aggregators' ledgers make the re-merge a no-op.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    Task<SplitReport> Run(ComputeJobSpec spec, InputSplit split, int shardCount);
}
