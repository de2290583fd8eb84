using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansCompute.Serialization;

/// <summary>
/// Writes the tagged binary format (see README.md) into an <see cref="IBufferWriter{T}"/>. Call
/// <see cref="Commit"/> when done: bytes are handed to the output in chunks, not per write.
/// </summary>
public ref struct Writer
{
    /// <summary>Objects nested deeper than this fail with <see cref="SerializerException"/> (cycles are not supported).</summary>
    public const int MaxDepth = 1000;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pos;
    private int _depth;
    private long _committed;

    public Writer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _span = output.GetSpan();
        _pos = 0;
        _depth = 0;
        _committed = 0;
    }

    /// <summary>Bytes written so far (committed or not).</summary>
    public readonly long Position => _committed + _pos;

    /// <summary>Current object nesting depth.</summary>
    public readonly int Depth => _depth;

    /// <summary>Advances the output past everything written so far.</summary>
    public void Commit()
    {
        if (_pos > 0)
        {
            _output.Advance(_pos);
            _committed += _pos;
            _pos = 0;
            _span = default;
        }
    }

    // ---- raw payloads ----

    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        var span = _span;
        var pos = _pos;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        _pos = pos;
    }

    public void WriteVarUInt32(uint value)
    {
        Ensure(5);
        if (value < 0x80)
        {
            _span[_pos++] = (byte)value;
            return;
        }

        WriteVarUInt64(value);
    }

    public void WriteVarInt64(long value) => WriteVarUInt64(ZigZag.Encode(value));

    public void WriteFixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_span[_pos..], value);
        _pos += 4;
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_span[_pos..], value);
        _pos += 8;
    }

    /// <summary>Writes bytes as they are (no length).</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_span[_pos..]);
        _pos += bytes.Length;
    }

    /// <summary>Writes a varint length followed by the bytes.</summary>
    public void WriteLengthPrefixed(scoped ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt32((uint)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>Writes a varint UTF-8 byte count followed by the UTF-8 bytes.</summary>
    public void WriteStringPayload(string value)
    {
        if (value.Length < 128 / 3)
        {
            // Short strings: the byte count surely fits one varint byte, so encode in place.
            Ensure(1 + (value.Length * 3));
            var written = Encoding.UTF8.GetBytes(value, _span[(_pos + 1)..]);
            _span[_pos] = (byte)written;
            _pos += 1 + written;
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)count);
        Ensure(count);
        _pos += Encoding.UTF8.GetBytes(value, _span[_pos..]);
    }

    // ---- field headers ----

    public void WriteFieldHeader(uint fieldId, WireType wireType)
    {
        var header = ((ulong)fieldId << 3) | (byte)wireType;
        if (header < 0x80)
        {
            Ensure(1);
            _span[_pos++] = (byte)header;
            return;
        }

        WriteVarUInt64(header);
    }

    public void WriteNull(uint fieldId) => WriteFieldHeader(fieldId, WireType.Null);

    /// <summary>Starts a nested object; write its fields, then <see cref="WriteEndObject"/>.</summary>
    public void WriteStartObject(uint fieldId)
    {
        EnterDepth();
        WriteFieldHeader(fieldId, WireType.StartObject);
    }

    /// <summary>Starts a value whose runtime type (named by <paramref name="typeName"/>) differs from the declared one.</summary>
    public void WriteStartTypedObject(uint fieldId, string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        EnterDepth();
        WriteFieldHeader(fieldId, WireType.TypedObject);
        WriteStringPayload(typeName);
    }

    public void WriteEndObject()
    {
        _depth--;
        Ensure(1);
        _span[_pos++] = (byte)WireType.EndObject;
    }

    // ---- typed fields (used by codecs and generated code) ----

    public void WriteBoolean(uint fieldId, bool value)
    {
        WriteFieldHeader(fieldId, WireType.VarInt);
        Ensure(1);
        _span[_pos++] = value ? (byte)1 : (byte)0;
    }

    public void WriteInt32(uint fieldId, int value)
    {
        WriteFieldHeader(fieldId, WireType.VarInt);
        WriteVarUInt32(ZigZag.Encode(value));
    }

    public void WriteUInt32(uint fieldId, uint value)
    {
        WriteFieldHeader(fieldId, WireType.VarInt);
        WriteVarUInt32(value);
    }

    public void WriteInt64(uint fieldId, long value)
    {
        WriteFieldHeader(fieldId, WireType.VarInt);
        WriteVarUInt64(ZigZag.Encode(value));
    }

    public void WriteUInt64(uint fieldId, ulong value)
    {
        WriteFieldHeader(fieldId, WireType.VarInt);
        WriteVarUInt64(value);
    }

    public void WriteSingle(uint fieldId, float value)
    {
        WriteFieldHeader(fieldId, WireType.Fixed32);
        WriteFixed32(BitConverter.SingleToUInt32Bits(value));
    }

    public void WriteDouble(uint fieldId, double value)
    {
        WriteFieldHeader(fieldId, WireType.Fixed64);
        WriteFixed64(BitConverter.DoubleToUInt64Bits(value));
    }

    public void WriteString(uint fieldId, string? value)
    {
        if (value is null)
        {
            WriteNull(fieldId);
            return;
        }

        WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        WriteStringPayload(value);
    }

    public void WriteBytes(uint fieldId, scoped ReadOnlySpan<byte> value)
    {
        WriteFieldHeader(fieldId, WireType.LengthPrefixed);
        WriteLengthPrefixed(value);
    }

    private void EnterDepth()
    {
        if (++_depth > MaxDepth)
        {
            throw new SerializerException(
                $"Object graph nested deeper than {MaxDepth} levels: the serializer handles trees only, so this is probably a cycle.");
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SerializerException(
                $"Object graph too deep to serialize at depth {_depth}: the serializer handles trees only, so this is probably a cycle.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int size)
    {
        if (_span.Length - _pos < size)
        {
            Grow(size);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        if (_pos > 0)
        {
            _output.Advance(_pos);
            _committed += _pos;
            _pos = 0;
        }

        _span = _output.GetSpan(Math.Max(size, 512));
    }
}
