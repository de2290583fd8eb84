using System.Buffers;

namespace OrleansCompute.Serialization;

/// <summary>
/// Entry points: a value is written as a single field with id 0 using <see cref="Codec{T}"/>.
/// </summary>
public static class Serializer
{
    [ThreadStatic]
    private static PooledBufferWriter? s_buffer;

    public static byte[] Serialize<T>(T value)
    {
        // Reuse one pooled buffer per thread; a nested call (a codec serializing) gets its own.
        var buffer = s_buffer ?? new PooledBufferWriter(1024);
        s_buffer = null;
        try
        {
            buffer.Reset();
            Serialize(value, buffer);
            return buffer.ToArray();
        }
        finally
        {
            if (buffer.WrittenCount <= 1 << 20)
            {
                buffer.Reset();
                s_buffer = buffer;
            }
            else
            {
                buffer.Dispose();
            }
        }
    }

    public static void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        Codec<T>.Instance.WriteField(ref writer, 0, value);
        writer.Commit();
    }

    public static T Deserialize<T>(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        var field = reader.TryReadField(out var f) ? f : throw new SerializerException("Cannot deserialize: the input is empty.");
        if (field.Id != 0)
        {
            throw new SerializerException($"Corrupt input: the top-level value must be field 0, found {field}.");
        }

        T value;
        try
        {
            value = Codec<T>.Instance.ReadValue(ref reader, field);
        }
        catch (Exception ex) when (ex is not SerializerException and not OutOfMemoryException)
        {
            // A value the target type rejects (overflowing number, malformed Uri, wrong runtime type):
            // still corrupt or incompatible input from the caller's point of view.
            throw new SerializerException($"Cannot deserialize '{typeof(T)}': {ex.Message}", ex);
        }

        if (!reader.End)
        {
            throw new SerializerException($"Corrupt input: {reader.Remaining} unexpected bytes after the value.");
        }

        return value;
    }

    public static T Deserialize<T>(ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize<T>(data.FirstSpan);
        }

        var length = checked((int)data.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.CopyTo(rented);
            return Deserialize<T>(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
