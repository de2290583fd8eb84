using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>What a partition grain reports after mapping one split and merging its shards into the aggregators.</summary>
[GenerateSerializer, Immutable]
public sealed class SplitReport
{
    [Id(0)]
    public int SplitId { get; set; }

    [Id(1)]
    public long Bytes { get; set; }

    [Id(2)]
    public long Records { get; set; }

    [Id(3)]
    public long BadRecords { get; set; }

    [Id(4)]
    public TimeSpan MapTime { get; set; }

    /// <summary>Shards the aggregators merged (0 when every aggregator had already merged this split: a retry).</summary>
    [Id(5)]
    public int ShardsMerged { get; set; }

    /// <summary>The silo that ran the split, as Orleans prints it (<c>SiloAddress.ToParsableString()</c>: <c>ip:port@generation</c>).</summary>
    [Id(6)]
    public string Silo { get; set; } = "";
}
