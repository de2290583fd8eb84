using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>Bad records of a split or a merge of splits: how many, and the first few in (path, offset) order.</summary>
[GenerateSerializer]
public sealed class BadRecordSummary
{
    [Id(0)]
    public long Count { get; set; }

    /// <summary>Ordered by path (ordinal) then offset; at most the policy's sample count.</summary>
    [Id(1)]
    public List<BadRecordSample> Samples { get; set; } = [];
}
