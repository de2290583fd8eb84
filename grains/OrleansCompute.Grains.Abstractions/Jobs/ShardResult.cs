using Orleans;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Jobs;

/// <summary>One aggregator shard finished on its own (kinds that join shard results): the splits it covers and its result.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardResult
{
    [Id(0)]
    public List<int> SplitIds { get; set; } = [];

    [Id(1)]
    public ComputeJobResult Result { get; set; } = new();
}
