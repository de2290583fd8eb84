using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>What a job reads and how it is cut into splits.</summary>
[GenerateSerializer]
public sealed class InputSpec
{
    /// <summary>
    /// A file, a directory (every file below it) or a glob (<c>*</c>, <c>?</c> within a path segment,
    /// <c>**</c> for any number of segments). Relative paths are taken under the first data root;
    /// absolute paths must lie under one of the roots.
    /// </summary>
    [Id(0)]
    public string Path { get; set; } = "";

    /// <summary>Record format. Default <see cref="InputFormat.Text"/>.</summary>
    [Id(1)]
    public InputFormat Format { get; set; } = InputFormat.Text;

    /// <summary>CSV field delimiter (one ASCII character). Default <c>,</c>.</summary>
    [Id(2)]
    public char Delimiter { get; set; } = ',';

    /// <summary>Whether each CSV file starts with a header record naming its columns. Default <c>true</c>.</summary>
    [Id(3)]
    public bool HasHeader { get; set; } = true;

    /// <summary>Target size of a split in bytes. Default 64 MiB.</summary>
    [Id(4)]
    public long TargetSplitBytes { get; set; } = 64L * 1024 * 1024;
}
