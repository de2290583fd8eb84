using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>Result of group-by: rows ordered by key (ordinal, column by column), or by the top-k order.</summary>
[GenerateSerializer, Immutable]
public sealed class GroupByResult
{
    [Id(0)]
    public List<string> KeyColumns { get; set; } = [];

    /// <summary>Aggregate result names, in the order of <see cref="GroupRow.Values"/>.</summary>
    [Id(1)]
    public List<string> Aggregates { get; set; } = [];

    [Id(2)]
    public List<GroupRow> Rows { get; set; } = [];

    /// <summary>Groups before any top-k cut.</summary>
    [Id(3)]
    public long Groups { get; set; }
}
