using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// A byte range of one file. A split owns every record that <em>starts</em> in [<see cref="Start"/>,
/// <see cref="End"/>): its reader skips a partial first record and reads past <see cref="End"/> to finish
/// its last one, so the splits of a file together see each record exactly once.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class InputSplit
{
    /// <summary>Index of the split in its plan (0-based, unique within a job).</summary>
    [Id(0)]
    public int SplitId { get; set; }

    /// <summary>Real path of the file.</summary>
    [Id(1)]
    public string Path { get; set; } = "";

    [Id(2)]
    public long Start { get; set; }

    [Id(3)]
    public long End { get; set; }

    /// <summary>CSV only: the file's header fields, read once by the planner (null without a header).</summary>
    [Id(4)]
    public string[]? Header { get; set; }

    /// <summary>CSV only: the number of fields every record must have (0 when unknown, e.g. an empty file).</summary>
    [Id(5)]
    public int FieldCount { get; set; }

    /// <summary>Index of the file in the plan's file list.</summary>
    [Id(6)]
    public int FileIndex { get; set; }
}
