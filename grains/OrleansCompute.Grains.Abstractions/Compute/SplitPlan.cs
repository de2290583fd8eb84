using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>The files an input resolved to and the splits over them.</summary>
[GenerateSerializer, Immutable]
public sealed class SplitPlan
{
    [Id(0)]
    public List<InputFile> Files { get; set; } = [];

    [Id(1)]
    public List<InputSplit> Splits { get; set; } = [];

    /// <summary>Total bytes over all files.</summary>
    [Id(2)]
    public long TotalBytes { get; set; }
}
