using Orleans;

namespace OrleansCompute.Grains.Compute;

[GenerateSerializer, Immutable]
public sealed class FilterCountResult
{
    [Id(0)]
    public long Matches { get; set; }

    /// <summary>Lines read.</summary>
    [Id(1)]
    public long Lines { get; set; }

    /// <summary>The first matches in (path, offset) order.</summary>
    [Id(2)]
    public List<MatchSample> Samples { get; set; } = [];
}
