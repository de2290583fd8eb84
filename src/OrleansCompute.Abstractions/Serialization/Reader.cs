using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansCompute.Serialization;

/// <summary>
/// Reads the tagged binary format (see README.md) from a span. Every read is bounds-checked:
/// truncated or corrupt input throws <see cref="SerializerException"/>.
/// </summary>
public ref struct Reader
{
    /// <summary>Objects nested deeper than this fail with <see cref="SerializerException"/>.</summary>
    public const int MaxDepth = Writer.MaxDepth;

    private readonly ReadOnlySpan<byte> _span;
    private int _pos;
    private int _depth;

    public Reader(ReadOnlySpan<byte> data)
    {
        _span = data;
        _pos = 0;
        _depth = 0;
    }

    public readonly int Position => _pos;

    public readonly int Remaining => _span.Length - _pos;

    public readonly bool End => _pos >= _span.Length;

    /// <summary>Current object nesting depth.</summary>
    public readonly int Depth => _depth;

    // ---- raw payloads ----

    public ulong ReadVarUInt64()
    {
        var span = _span;
        var pos = _pos;
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if ((uint)pos >= (uint)span.Length)
            {
                throw Truncated("a varint");
            }

            var b = span[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                _pos = pos;
                return result;
            }

            shift += 7;
            if (shift >= 64)
            {
                throw Corrupt("a varint longer than 10 bytes");
            }
        }
    }

    public uint ReadVarUInt32()
    {
        var pos = _pos;
        if ((uint)pos < (uint)_span.Length && _span[pos] < 0x80)
        {
            _pos = pos + 1;
            return _span[pos];
        }

        var value = ReadVarUInt64();
        return value <= uint.MaxValue ? (uint)value : throw Corrupt("a 32-bit varint out of range");
    }

    public long ReadVarInt64() => ZigZag.Decode(ReadVarUInt64());

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadRaw(4));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadRaw(8));

    /// <summary>Reads <paramref name="count"/> bytes as they are.</summary>
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count < 0 || count > _span.Length - _pos)
        {
            throw Truncated($"{count} bytes");
        }

        var result = _span.Slice(_pos, count);
        _pos += count;
        return result;
    }

    /// <summary>Reads a varint length and that many bytes.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed()
    {
        var length = ReadVarUInt32();
        if (length > (uint)(_span.Length - _pos))
        {
            throw Truncated($"a length-prefixed payload of {length} bytes");
        }

        return ReadRaw((int)length);
    }

    public string ReadStringPayload()
    {
        var bytes = ReadLengthPrefixed();
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    // ---- fields ----

    /// <summary>Reads the next field header; throws at the end of input.</summary>
    public Field ReadField()
    {
        var header = ReadVarUInt64();
        var id = header >> 3;
        if (id > uint.MaxValue)
        {
            throw Corrupt("a field id out of range");
        }

        return new Field((uint)id, (WireType)(header & 7));
    }

    /// <summary>
    /// Reads the next field of the current object. Returns false (and leaves the object) at its end
    /// marker, or at the end of input when not inside an object.
    /// </summary>
    public bool TryReadField(out Field field)
    {
        if (_pos >= _span.Length)
        {
            if (_depth > 0)
            {
                throw Truncated("the rest of an object");
            }

            field = default;
            return false;
        }

        // Fast path: single-byte header.
        var b = _span[_pos];
        if (b < 0x80)
        {
            _pos++;
            field = new Field((uint)(b >> 3), (WireType)(b & 7));
        }
        else
        {
            field = ReadField();
        }

        if (field.WireType == WireType.EndObject)
        {
            if (_depth == 0)
            {
                throw Corrupt("an end-of-object marker outside any object");
            }

            _depth--;
            return false;
        }

        return true;
    }

    /// <summary>Checks that <paramref name="field"/> starts an object and enters it; read its fields with <see cref="TryReadField"/>.</summary>
    public void EnterObject(Field field)
    {
        if (field.WireType != WireType.StartObject)
        {
            throw UnexpectedWireType(field, WireType.StartObject);
        }

        EnterDepth();
    }

    /// <summary>Enters a <see cref="WireType.TypedObject"/> field and returns the type name it carries.</summary>
    public string EnterTypedObject(Field field)
    {
        if (field.WireType != WireType.TypedObject)
        {
            throw UnexpectedWireType(field, WireType.TypedObject);
        }

        var name = ReadStringPayload();
        EnterDepth();
        return name;
    }

    /// <summary>Skips every remaining field of the current object, including its end marker.</summary>
    public void SkipToEndOfObject()
    {
        while (TryReadField(out var field))
        {
            SkipField(field);
        }
    }

    /// <summary>Skips the payload of a field whose header has been read (nested objects included).</summary>
    public void SkipField(Field field)
    {
        switch (field.WireType)
        {
            case WireType.StartObject:
                SkipObjectBody();
                break;
            case WireType.TypedObject:
                ReadLengthPrefixed();
                SkipObjectBody();
                break;
            case WireType.EndObject:
                throw Corrupt("an end-of-object marker where a field was expected");
            default:
                SkipScalar(field.WireType);
                break;
        }
    }

    // ---- typed fields ----

    public bool ReadBoolean(Field field)
    {
        Expect(field, WireType.VarInt);
        return ReadVarUInt64() != 0;
    }

    public int ReadInt32(Field field)
    {
        Expect(field, WireType.VarInt);
        return ZigZag.Decode(ReadVarUInt32());
    }

    public uint ReadUInt32(Field field)
    {
        Expect(field, WireType.VarInt);
        return ReadVarUInt32();
    }

    public long ReadInt64(Field field)
    {
        Expect(field, WireType.VarInt);
        return ZigZag.Decode(ReadVarUInt64());
    }

    public ulong ReadUInt64(Field field)
    {
        Expect(field, WireType.VarInt);
        return ReadVarUInt64();
    }

    public float ReadSingle(Field field)
    {
        Expect(field, WireType.Fixed32);
        return BitConverter.UInt32BitsToSingle(ReadFixed32());
    }

    public double ReadDouble(Field field)
    {
        Expect(field, WireType.Fixed64);
        return BitConverter.UInt64BitsToDouble(ReadFixed64());
    }

    public string? ReadString(Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null;
        }

        Expect(field, WireType.LengthPrefixed);
        return ReadStringPayload();
    }

    /// <summary>Throws unless <paramref name="field"/> has <paramref name="expected"/> wire type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Expect(Field field, WireType expected)
    {
        if (field.WireType != expected)
        {
            throw UnexpectedWireType(field, expected);
        }
    }

    public static SerializerException UnexpectedWireType(Field field, WireType expected) =>
        new($"Corrupt or incompatible input: {field} where {expected} was expected (was the member's type changed?).");

    private void SkipScalar(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.VarInt:
                ReadVarUInt64();
                break;
            case WireType.Fixed32:
                ReadRaw(4);
                break;
            case WireType.Fixed64:
                ReadRaw(8);
                break;
            case WireType.LengthPrefixed:
                ReadLengthPrefixed();
                break;
            case WireType.Null:
                break;
            default:
                throw Corrupt($"unknown wire type {(int)wireType}");
        }
    }

    // Iterative so hostile input cannot overflow the stack while skipping.
    private void SkipObjectBody()
    {
        var depth = 1;
        while (depth > 0)
        {
            if (_pos >= _span.Length)
            {
                throw Truncated("the rest of a skipped object");
            }

            var field = ReadField();
            switch (field.WireType)
            {
                case WireType.StartObject:
                    depth++;
                    break;
                case WireType.TypedObject:
                    ReadLengthPrefixed();
                    depth++;
                    break;
                case WireType.EndObject:
                    depth--;
                    break;
                default:
                    SkipScalar(field.WireType);
                    break;
            }
        }
    }

    private void EnterDepth()
    {
        if (++_depth > MaxDepth)
        {
            throw new SerializerException($"Input nests objects deeper than {MaxDepth} levels.");
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SerializerException($"Input nests objects too deeply to read (depth {_depth}).");
        }
    }

    private readonly SerializerException Truncated(string what) =>
        new($"Truncated input: expected {what} at offset {_pos} of {_span.Length} bytes.");

    private readonly SerializerException Corrupt(string what) =>
        new($"Corrupt input: {what} at offset {_pos}.");
}
