using System.Numerics;
using System.Runtime.InteropServices;

namespace OrleansCompute.Serialization.Codecs;

internal sealed class BooleanCodec : IFieldCodec<bool>
{
    public void WriteField(ref Writer writer, uint fieldId, bool value) => writer.WriteBoolean(fieldId, value);

    public bool ReadValue(ref Reader reader, Field field) => reader.ReadBoolean(field);
}

internal sealed class ByteCodec : IFieldCodec<byte>
{
    public void WriteField(ref Writer writer, uint fieldId, byte value) => writer.WriteUInt32(fieldId, value);

    public byte ReadValue(ref Reader reader, Field field) => checked((byte)reader.ReadUInt32(field));
}

internal sealed class SByteCodec : IFieldCodec<sbyte>
{
    public void WriteField(ref Writer writer, uint fieldId, sbyte value) => writer.WriteInt32(fieldId, value);

    public sbyte ReadValue(ref Reader reader, Field field) => checked((sbyte)reader.ReadInt32(field));
}

internal sealed class Int16Codec : IFieldCodec<short>
{
    public void WriteField(ref Writer writer, uint fieldId, short value) => writer.WriteInt32(fieldId, value);

    public short ReadValue(ref Reader reader, Field field) => checked((short)reader.ReadInt32(field));
}

internal sealed class UInt16Codec : IFieldCodec<ushort>
{
    public void WriteField(ref Writer writer, uint fieldId, ushort value) => writer.WriteUInt32(fieldId, value);

    public ushort ReadValue(ref Reader reader, Field field) => checked((ushort)reader.ReadUInt32(field));
}

internal sealed class CharCodec : IFieldCodec<char>
{
    public void WriteField(ref Writer writer, uint fieldId, char value) => writer.WriteUInt32(fieldId, value);

    public char ReadValue(ref Reader reader, Field field) => checked((char)reader.ReadUInt32(field));
}

internal sealed class Int32Codec : IFieldCodec<int>
{
    public void WriteField(ref Writer writer, uint fieldId, int value) => writer.WriteInt32(fieldId, value);

    public int ReadValue(ref Reader reader, Field field) => reader.ReadInt32(field);
}

internal sealed class UInt32Codec : IFieldCodec<uint>
{
    public void WriteField(ref Writer writer, uint fieldId, uint value) => writer.WriteUInt32(fieldId, value);

    public uint ReadValue(ref Reader reader, Field field) => reader.ReadUInt32(field);
}

internal sealed class Int64Codec : IFieldCodec<long>
{
    public void WriteField(ref Writer writer, uint fieldId, long value) => writer.WriteInt64(fieldId, value);

    public long ReadValue(ref Reader reader, Field field) => reader.ReadInt64(field);
}

internal sealed class UInt64Codec : IFieldCodec<ulong>
{
    public void WriteField(ref Writer writer, uint fieldId, ulong value) => writer.WriteUInt64(fieldId, value);

    public ulong ReadValue(ref Reader reader, Field field) => reader.ReadUInt64(field);
}

internal sealed class SingleCodec : IFieldCodec<float>
{
    public void WriteField(ref Writer writer, uint fieldId, float value) => writer.WriteSingle(fieldId, value);

    public float ReadValue(ref Reader reader, Field field) => reader.ReadSingle(field);
}

internal sealed class DoubleCodec : IFieldCodec<double>
{
    public void WriteField(ref Writer writer, uint fieldId, double value) => writer.WriteDouble(fieldId, value);

    public double ReadValue(ref Reader reader, Field field) => reader.ReadDouble(field);
}

internal sealed class DecimalCodec : IFieldCodec<decimal>
{
    public void WriteField(ref Writer writer, uint fieldId, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        writer.WriteBytes(fieldId, MemoryMarshal.AsBytes(bits));
    }

    public decimal ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.LengthPrefixed);
        var bytes = reader.ReadLengthPrefixed();
        if (bytes.Length != 16)
        {
            throw new SerializerException($"Corrupt input: a decimal must be 16 bytes, found {bytes.Length}.");
        }

        Span<int> bits = stackalloc int[4];
        bytes.CopyTo(MemoryMarshal.AsBytes(bits));
        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException ex)
        {
            throw new SerializerException("Corrupt input: invalid decimal.", ex);
        }
    }
}

internal sealed class StringCodec : IFieldCodec<string>
{
    public void WriteField(ref Writer writer, uint fieldId, string value) => writer.WriteString(fieldId, value);

    public string ReadValue(ref Reader reader, Field field) => reader.ReadString(field)!;
}

internal sealed class GuidCodec : IFieldCodec<Guid>
{
    public void WriteField(ref Writer writer, uint fieldId, Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes);
        writer.WriteBytes(fieldId, bytes);
    }

    public Guid ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.LengthPrefixed);
        var bytes = reader.ReadLengthPrefixed();
        return bytes.Length == 16 ? new Guid(bytes) : throw new SerializerException($"Corrupt input: a Guid must be 16 bytes, found {bytes.Length}.");
    }
}

/// <summary>Ticks in the low 62 bits, <see cref="DateTimeKind"/> in the top two (kind is preserved).</summary>
internal sealed class DateTimeCodec : IFieldCodec<DateTime>
{
    public void WriteField(ref Writer writer, uint fieldId, DateTime value)
    {
        writer.WriteFieldHeader(fieldId, WireType.Fixed64);
        writer.WriteFixed64((ulong)value.Ticks | ((ulong)value.Kind << 62));
    }

    public DateTime ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.Fixed64);
        var data = reader.ReadFixed64();
        var ticks = (long)(data & 0x3FFF_FFFF_FFFF_FFFF);
        var kind = (DateTimeKind)(data >> 62);
        if (ticks > DateTime.MaxValue.Ticks || kind > DateTimeKind.Local)
        {
            throw new SerializerException("Corrupt input: invalid DateTime.");
        }

        return new DateTime(ticks, kind);
    }
}

/// <summary>An object with the local ticks (field 1) and the offset in minutes (field 2).</summary>
internal sealed class DateTimeOffsetCodec : IFieldCodec<DateTimeOffset>
{
    public void WriteField(ref Writer writer, uint fieldId, DateTimeOffset value)
    {
        writer.WriteStartObject(fieldId);
        writer.WriteInt64(1, value.Ticks);
        writer.WriteInt32(2, (int)value.Offset.TotalMinutes);
        writer.WriteEndObject();
    }

    public DateTimeOffset ReadValue(ref Reader reader, Field field)
    {
        reader.EnterObject(field);
        long ticks = 0;
        var offsetMinutes = 0;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: ticks = reader.ReadInt64(f); break;
                case 2: offsetMinutes = reader.ReadInt32(f); break;
                default: reader.SkipField(f); break;
            }
        }

        try
        {
            return new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes));
        }
        catch (ArgumentException ex)
        {
            throw new SerializerException("Corrupt input: invalid DateTimeOffset.", ex);
        }
    }
}

internal sealed class TimeSpanCodec : IFieldCodec<TimeSpan>
{
    public void WriteField(ref Writer writer, uint fieldId, TimeSpan value) => writer.WriteInt64(fieldId, value.Ticks);

    public TimeSpan ReadValue(ref Reader reader, Field field) => new(reader.ReadInt64(field));
}

internal sealed class DateOnlyCodec : IFieldCodec<DateOnly>
{
    public void WriteField(ref Writer writer, uint fieldId, DateOnly value) => writer.WriteInt32(fieldId, value.DayNumber);

    public DateOnly ReadValue(ref Reader reader, Field field)
    {
        var day = reader.ReadInt32(field);
        return day >= 0 && day <= DateOnly.MaxValue.DayNumber
            ? DateOnly.FromDayNumber(day)
            : throw new SerializerException("Corrupt input: invalid DateOnly.");
    }
}

internal sealed class TimeOnlyCodec : IFieldCodec<TimeOnly>
{
    public void WriteField(ref Writer writer, uint fieldId, TimeOnly value) => writer.WriteInt64(fieldId, value.Ticks);

    public TimeOnly ReadValue(ref Reader reader, Field field)
    {
        var ticks = reader.ReadInt64(field);
        return ticks >= 0 && ticks <= TimeOnly.MaxValue.Ticks
            ? new TimeOnly(ticks)
            : throw new SerializerException("Corrupt input: invalid TimeOnly.");
    }
}

internal sealed class ByteArrayCodec : IFieldCodec<byte[]>
{
    public void WriteField(ref Writer writer, uint fieldId, byte[] value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        writer.WriteBytes(fieldId, value);
    }

    public byte[] ReadValue(ref Reader reader, Field field)
    {
        if (field.WireType == WireType.Null)
        {
            return null!;
        }

        Reader.Expect(field, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixed().ToArray();
    }
}

internal sealed class ReadOnlyMemoryCodec : IFieldCodec<ReadOnlyMemory<byte>>
{
    public void WriteField(ref Writer writer, uint fieldId, ReadOnlyMemory<byte> value) => writer.WriteBytes(fieldId, value.Span);

    public ReadOnlyMemory<byte> ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixed().ToArray();
    }
}

internal sealed class MemoryCodec : IFieldCodec<Memory<byte>>
{
    public void WriteField(ref Writer writer, uint fieldId, Memory<byte> value) => writer.WriteBytes(fieldId, value.Span);

    public Memory<byte> ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixed().ToArray();
    }
}

internal sealed class UriCodec : IFieldCodec<Uri>
{
    public void WriteField(ref Writer writer, uint fieldId, Uri value) => writer.WriteString(fieldId, value?.OriginalString);

    public Uri ReadValue(ref Reader reader, Field field)
    {
        var text = reader.ReadString(field);
        return text is null ? null! : new Uri(text, UriKind.RelativeOrAbsolute);
    }
}

internal sealed class VersionCodec : IFieldCodec<Version>
{
    public void WriteField(ref Writer writer, uint fieldId, Version value) => writer.WriteString(fieldId, value?.ToString());

    public Version ReadValue(ref Reader reader, Field field)
    {
        var text = reader.ReadString(field);
        return text is null ? null! : Version.TryParse(text, out var version) ? version : throw new SerializerException("Corrupt input: invalid Version.");
    }
}

internal sealed class BigIntegerCodec : IFieldCodec<BigInteger>
{
    public void WriteField(ref Writer writer, uint fieldId, BigInteger value) => writer.WriteBytes(fieldId, value.ToByteArray());

    public BigInteger ReadValue(ref Reader reader, Field field)
    {
        Reader.Expect(field, WireType.LengthPrefixed);
        return new BigInteger(reader.ReadLengthPrefixed());
    }
}
