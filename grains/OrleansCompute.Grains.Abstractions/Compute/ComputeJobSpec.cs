using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>A batch job: which kind, over what input, with which options.</summary>
[GenerateSerializer, Immutable]
public sealed class ComputeJobSpec
{
    [Id(0)]
    public string JobId { get; set; } = "";

    /// <summary>Registered kind name: <c>word-count</c>, <c>group-by</c>, <c>top-k</c>, <c>filter-count</c> or a user kind.</summary>
    [Id(1)]
    public string Kind { get; set; } = "";

    [Id(2)]
    public InputSpec Input { get; set; } = new();

    [Id(3)]
    public WordCountOptions? WordCount { get; set; }

    [Id(4)]
    public GroupByOptions? GroupBy { get; set; }

    [Id(5)]
    public TopKOptions? TopK { get; set; }

    [Id(6)]
    public FilterOptions? Filter { get; set; }

    [Id(7)]
    public RejectionPolicy Rejection { get; set; } = new();

    /// <summary>Free-form parameters for user-defined kinds.</summary>
    [Id(8)]
    public Dictionary<string, string> Parameters { get; set; } = [];
}
