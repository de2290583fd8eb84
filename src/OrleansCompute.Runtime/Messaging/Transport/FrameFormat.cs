using System.Buffers;
using System.Buffers.Binary;

namespace OrleansCompute.Messaging.Transport;

/// <summary>
/// Frames on every connection: a 4-byte little-endian body length, then the body. A length above the
/// receiver's limit is a protocol violation that closes the connection (a sender checks its own limit
/// before writing, so an oversized message fails only its own call).
/// </summary>
internal static class FrameFormat
{
    public const int HeaderSize = 4;

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/>, if there is one.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxBodySize, out ReadOnlySequence<byte> body)
    {
        body = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > maxBodySize)
        {
            throw new InvalidDataException($"Received a frame of {length} bytes; the limit is {maxBodySize}. Closing the connection.");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        body = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }

    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> body)
    {
        var span = output.GetSpan(HeaderSize + body.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, body.Length);
        body.CopyTo(span[HeaderSize..]);
        output.Advance(HeaderSize + body.Length);
    }
}
