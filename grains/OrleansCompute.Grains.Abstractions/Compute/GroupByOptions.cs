using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>Options of the <c>group-by</c> kind over CSV or JSON Lines.</summary>
[GenerateSerializer]
public sealed class GroupByOptions
{
    /// <summary>Key columns (CSV header names, or 0-based indexes without a header; JSON top-level property names).</summary>
    [Id(0)]
    public List<string> KeyColumns { get; set; } = [];

    /// <summary>Aggregates per group. Default: none (then only <c>count</c> is reported).</summary>
    [Id(1)]
    public List<AggregateSpec> Aggregates { get; set; } = [];
}
