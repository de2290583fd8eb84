using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>A file an input resolved to: its real path (symbolic links resolved) and its length when planned.</summary>
[GenerateSerializer]
public sealed class InputFile
{
    [Id(0)]
    public string Path { get; set; } = "";

    [Id(1)]
    public long Length { get; set; }
}
