using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>A line a filter matched.</summary>
[GenerateSerializer]
public sealed class MatchSample
{
    [Id(0)]
    public string Path { get; set; } = "";

    /// <summary>Byte offset of the line in the file.</summary>
    [Id(1)]
    public long Offset { get; set; }

    [Id(2)]
    public string Line { get; set; } = "";
}
