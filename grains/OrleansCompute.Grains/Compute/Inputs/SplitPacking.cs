namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// Packs the pieces the planner cut (one per small file, record-aligned pieces of at most the target size for a large
/// one) into splits, as Hadoop's <c>CombineFileInputFormat</c> and Spark's <c>maxPartitionBytes</c> /
/// <c>openCostInBytes</c> do: pieces are taken in plan order (files in ordinal path order, a file's pieces in order), and
/// a piece joins the current split while the split's cost stays within the target; a piece costs its bytes plus the
/// per-file open cost. So a split holds at most target ÷ open cost pieces (8,192 at 64 MiB and 8 KiB), a large file's
/// full pieces stay splits of their own, and its last, shorter piece may share a split with the files after it.
/// </summary>
internal static class SplitPacking
{
    /// <summary>
    /// Splits over <paramref name="pieces"/> (single-range splits in plan order), numbered from 0: a group of one piece is
    /// that piece; a group of several is a packed split whose <see cref="InputSplit.Parts"/> are the pieces.
    /// </summary>
    public static List<InputSplit> Pack(List<InputSplit> pieces, long targetBytes, long fileOpenCostBytes)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(fileOpenCostBytes);
        var splits = new List<InputSplit>();
        var group = new List<InputSplit>();
        long cost = 0;
        foreach (var piece in pieces)
        {
            var pieceCost = Cost(piece.End - piece.Start, fileOpenCostBytes);
            if (group.Count > 0 && Cost(cost, pieceCost) > targetBytes)
            {
                Close(splits, group);
                group = [];
                cost = 0;
            }

            group.Add(piece);
            cost = Cost(cost, pieceCost);
        }

        if (group.Count > 0)
        {
            Close(splits, group);
        }

        return splits;
    }

    /// <summary>Bytes plus open cost, saturating (a split target may be as large as <see cref="long.MaxValue"/>).</summary>
    private static long Cost(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static void Close(List<InputSplit> splits, List<InputSplit> group)
    {
        var id = splits.Count;
        foreach (var piece in group)
        {
            piece.SplitId = id;
        }

        splits.Add(group.Count == 1
            ? group[0]
            : new InputSplit { SplitId = id, FileIndex = group[0].FileIndex, Parts = group });
    }
}
