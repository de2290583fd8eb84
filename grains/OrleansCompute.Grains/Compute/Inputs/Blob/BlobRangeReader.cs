using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs.Blob;

/// <summary>
/// Positional reads of one blob with ranged downloads, for a reader that owns [start, end): a read below <c>end</c>
/// fetches at most up to <c>end</c>; a read at or past <c>end</c> (finishing the last record) fetches a look-ahead
/// window that starts small and doubles while the record goes on. So a split downloads its own bytes, one byte before
/// its start (to see whether it begins a record) and a look-ahead, never its neighbour's whole range. The blob's length
/// comes from one properties request when opened. Transient failures are retried by the SDK's pipeline; a missing blob
/// or refused credentials become <see cref="ComputeInputException"/> (the job fails with the reason), and a failure that
/// outlasted the retries an <see cref="IOException"/> (the split is retried).
/// </summary>
internal sealed class BlobRangeReader : IRangeReader
{
    private readonly BlobClient _blob;
    private readonly string _path;
    private readonly long _end;
    private readonly int _initialLookahead;
    private readonly Action<long> _fetched;
    private long _lookahead;

    public BlobRangeReader(BlobClient blob, string path, long start, long end, int lookahead, Action<long> fetched)
    {
        _blob = blob;
        _path = path;
        _end = Math.Max(start, end);
        _initialLookahead = lookahead;
        _lookahead = lookahead;
        _fetched = fetched;
        try
        {
            Length = _blob.GetProperties().Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ComputeInputException($"Blob '{path}' does not exist (any more) at {_blob.Uri.GetLeftPart(UriPartial.Path)}.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw Translate(ex);
        }
    }

    public long Length { get; }

    public int Read(Span<byte> buffer, long offset)
    {
        if (offset >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        long want;
        if (offset < _end)
        {
            want = Math.Min(buffer.Length, _end - offset);
            _lookahead = _initialLookahead;
        }
        else
        {
            want = Math.Min(buffer.Length, _lookahead);
            _lookahead = Math.Min(_lookahead * 2, 64L * 1024 * 1024);
        }

        want = Math.Min(want, Length - offset);
        var read = 0;
        try
        {
            var response = _blob.DownloadStreaming(new BlobDownloadOptions { Range = new HttpRange(offset, want) });
            using var content = response.Value.Content;
            while (read < want)
            {
                var n = content.Read(buffer[read..(int)want]);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (RequestFailedException ex)
        {
            throw Translate(ex);
        }

        _fetched(read);
        return read;
    }

    public void Dispose()
    {
        // The client is shared by the source.
    }

    private Exception Translate(RequestFailedException ex) => ex.Status is 403 or 404 or 400
        ? BlobInputSource.ToInputError(_path, ex)
        : new IOException(ex.Message, ex);
}
