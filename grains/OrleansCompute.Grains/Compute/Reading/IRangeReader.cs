using Microsoft.Win32.SafeHandles;

namespace OrleansCompute.Grains.Compute.Reading;

/// <summary>
/// Positional reads of one input (a local file or a remote object such as a blob): what
/// <see cref="SplitRecordReader"/> and the CSV planner read through. <see cref="Read"/> may return fewer bytes than
/// asked for (the reader asks again); 0 means the end of the input.
/// </summary>
public interface IRangeReader : IDisposable
{
    /// <summary>The input's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; 0 only at the end.</summary>
    int Read(Span<byte> buffer, long offset);
}

/// <summary>An <see cref="IRangeReader"/> over a local file (positional reads on one handle).</summary>
public sealed class FileRangeReader : IRangeReader
{
    private readonly SafeFileHandle _handle;

    public FileRangeReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
    }

    public long Length => RandomAccess.GetLength(_handle);

    public int Read(Span<byte> buffer, long offset) => RandomAccess.Read(_handle, buffer, offset);

    public void Dispose() => _handle.Dispose();
}
