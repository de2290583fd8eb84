using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// What one partition grain reads: a byte range of one file, or — small files packed together — several ranges
/// (<see cref="Parts"/>). A range owns every record that <em>starts</em> in [<see cref="Start"/>, <see cref="End"/>):
/// its reader skips a partial first record and reads past <see cref="End"/> to finish its last one, so the ranges of
/// a file together see each record exactly once.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class InputSplit
{
    /// <summary>Index of the split in its plan (0-based, unique within a job).</summary>
    [Id(0)]
    public int SplitId { get; set; }

    /// <summary>Real path of the file ("" when the split is packed: see <see cref="Parts"/>).</summary>
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

    /// <summary>
    /// A packed split (small files): the single-file ranges it reads, in order, each with this split's
    /// <see cref="SplitId"/> and no parts of its own; the fields above are then unused (<see cref="Path"/> is "").
    /// Null for a split of one range (the fields above). Read a split through <see cref="Ranges"/>.
    /// </summary>
    [Id(7)]
    public List<InputSplit>? Parts { get; set; }

    /// <summary>The single-file ranges this split reads, in order: its <see cref="Parts"/>, or the split itself.</summary>
    public IReadOnlyList<InputSplit> Ranges => Parts ?? (IReadOnlyList<InputSplit>)[this];

    /// <summary>Bytes the split owns (the sum over its ranges).</summary>
    public long Bytes
    {
        get
        {
            if (Parts is null)
            {
                return End - Start;
            }

            long bytes = 0;
            foreach (var part in Parts)
            {
                bytes += part.End - part.Start;
            }

            return bytes;
        }
    }
}
