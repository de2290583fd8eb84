using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs;

/// <summary>
/// A place job inputs come from other than the silo's local data roots — Azure Blob Storage
/// (<see cref="Blob.BlobInputSource"/>). A silo registers its sources as <see cref="IInputSource"/> services; an input
/// path a source <see cref="Owns"/> is resolved and read through it, every other path through
/// <see cref="InputResolver"/> and local files. Implementations are thread-safe.
/// </summary>
public interface IInputSource
{
    /// <summary>Whether <paramref name="path"/> (an input as written in a job, or a resolved file's path) belongs to this source.</summary>
    bool Owns(string path);

    /// <summary>The files <paramref name="input"/> names, each once, in ordinal order of path. Throws <see cref="ComputeInputException"/> when it names none.</summary>
    IReadOnlyList<InputFile> Resolve(string input);

    /// <summary>
    /// Opens one resolved file for positional reads. <paramref name="start"/> and <paramref name="end"/> say which bytes
    /// the caller owns (a split), so a remote source can fetch those and only a small look-ahead past <paramref name="end"/>.
    /// </summary>
    IRangeReader Open(string path, long start, long end);
}

/// <summary>Chooses between the registered <see cref="IInputSource"/>s and the local data roots.</summary>
public static class InputSources
{
    /// <summary>The source that owns <paramref name="path"/>, or null for a local path. Blob-looking paths without a source fail clearly.</summary>
    public static IInputSource? Find(IReadOnlyList<IInputSource> sources, string path)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(path);
        foreach (var source in sources)
        {
            if (source.Owns(path))
            {
                return source;
            }
        }

        if (path.StartsWith("blob:", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ComputeInputException(
                $"Input '{path}' is a blob input, but this silo has no blob account configured (set OrleansCompute:Compute:Blob:ConnectionString).");
        }

        return null;
    }

    /// <summary>
    /// Plans <paramref name="input"/>: through the source that owns its path, else under <paramref name="roots"/>. Small
    /// files are packed into splits with <paramref name="fileOpenCostBytes"/> counted per file piece; a split size chosen
    /// by <paramref name="splitBytesForTotal"/> is given the input's total cost (bytes plus one open cost per non-empty file).
    /// </summary>
    public static SplitPlan Plan(InputSpec input, DataRootOptions roots, IReadOnlyList<IInputSource> sources, Func<long, long>? splitBytesForTotal = null,
        long fileOpenCostBytes = SplitPlanner.DefaultFileOpenCostBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentOutOfRangeException.ThrowIfNegative(fileOpenCostBytes);
        var source = Find(sources, input.Path);
        var files = source is null ? new InputResolver(roots).Resolve(input.Path) : source.Resolve(input.Path);
        if (splitBytesForTotal is not null)
        {
            // Split size chosen from the input's total cost (e.g. from the cluster's cores); the spec's size is an upper bound.
            // Counting the open costs keeps 100,000 one-byte files from being planned as if they were 100 KB.
            long cost = 0;
            foreach (var file in files)
            {
                cost = SaturatingAdd(cost, file.Length > 0 ? SaturatingAdd(file.Length, fileOpenCostBytes) : 0);
            }

            input = new InputSpec
            {
                Path = input.Path,
                Format = input.Format,
                Delimiter = input.Delimiter,
                HasHeader = input.HasHeader,
                TargetSplitBytes = splitBytesForTotal(cost),
            };
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(input.TargetSplitBytes, 1, "TargetSplitBytes");
        return source is null
            ? SplitPlanner.Plan(files, input, static file => new FileRangeReader(file.Path), fileOpenCostBytes)
            : SplitPlanner.Plan(files, input, file => source.Open(file.Path, 0, file.Length), fileOpenCostBytes);
    }

    /// <summary>Opens one single-file range of a split (<see cref="InputSplit.Ranges"/>): through the source that owns its path, else as a local file.</summary>
    public static IRangeReader Open(IReadOnlyList<IInputSource> sources, InputSplit range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return Find(sources, range.Path) is { } source ? source.Open(range.Path, range.Start, range.End) : new FileRangeReader(range.Path);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
