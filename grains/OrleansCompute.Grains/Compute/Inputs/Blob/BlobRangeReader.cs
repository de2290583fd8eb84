using System.Net;
using OrleansCompute.Blobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Grains.Compute.Inputs.Blob;

/// <summary>
/// Positional reads of one blob with ranged GETs, for a reader that owns [start, end): a read below <c>end</c> fetches
/// at most up to <c>end</c>; a read at or past <c>end</c> (finishing the last record) fetches a look-ahead window that
/// starts small and doubles while the record goes on. So a split downloads its own bytes, one byte before its start
/// (to see whether it begins a record) and a look-ahead, never its neighbour's whole range. The blob's length comes
/// from one HEAD request when opened. Transient failures are retried by the client; a missing blob or refused
/// credentials become <see cref="ComputeInputException"/> (the job fails with the reason), and a failure that outlasted
/// the retries an <see cref="IOException"/> (the split is retried).
/// </summary>
internal sealed class BlobRangeReader : IRangeReader
{
    private readonly BlobRestClient _client;
    private readonly string _container;
    private readonly string _name;
    private readonly long _end;
    private readonly int _initialLookahead;
    private readonly Action<long> _fetched;
    private long _lookahead;

    public BlobRangeReader(BlobRestClient client, string container, string name, long start, long end, int lookahead, Action<long> fetched)
    {
        _client = client;
        _container = container;
        _name = name;
        _end = Math.Max(start, end);
        _initialLookahead = lookahead;
        _lookahead = lookahead;
        _fetched = fetched;
        BlobItem? properties;
        try
        {
            properties = _client.GetPropertiesAsync(container, name).GetAwaiter().GetResult();
        }
        catch (BlobRequestException ex)
        {
            throw Translate(ex);
        }

        Length = properties?.Length ?? throw new ComputeInputException($"Blob '{container}/{name}' does not exist (any more) at {_client.Account.EndpointText}.");
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
        int read;
        try
        {
            read = _client.ReadRange(_container, _name, offset, buffer[..(int)want]);
        }
        catch (BlobRequestException ex)
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

    private Exception Translate(BlobRequestException ex) => ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest
        ? BlobInputSource.ToInputError($"blob:{_container}/{_name}", ex)
        : new IOException(ex.Message, ex);
}
