using System.Runtime.CompilerServices;

namespace OrleansCompute.Serialization.Codecs;

/// <summary>Enums travel as their underlying integer (zig-zag varint), so renaming members is safe.</summary>
internal sealed class EnumCodec<T> : IFieldCodec<T>
    where T : struct, Enum
{
    private static readonly bool s_signed = Type.GetTypeCode(Enum.GetUnderlyingType(typeof(T))) is TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64;

    public void WriteField(ref Writer writer, uint fieldId, T value) => writer.WriteInt64(fieldId, ToInt64(value));

    public T ReadValue(ref Reader reader, Field field) => FromInt64(reader.ReadInt64(field));

    private static long ToInt64(T value) => Unsafe.SizeOf<T>() switch
    {
        1 => s_signed ? Unsafe.As<T, sbyte>(ref value) : Unsafe.As<T, byte>(ref value),
        2 => s_signed ? Unsafe.As<T, short>(ref value) : Unsafe.As<T, ushort>(ref value),
        4 => s_signed ? Unsafe.As<T, int>(ref value) : Unsafe.As<T, uint>(ref value),
        _ => Unsafe.As<T, long>(ref value),
    };

    private static T FromInt64(long value)
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 1:
                var b = (byte)value;
                return Unsafe.As<byte, T>(ref b);
            case 2:
                var s = (ushort)value;
                return Unsafe.As<ushort, T>(ref s);
            case 4:
                var i = (uint)value;
                return Unsafe.As<uint, T>(ref i);
            default:
                return Unsafe.As<long, T>(ref value);
        }
    }
}

internal sealed class NullableCodec<T> : IFieldCodec<T?>
    where T : struct
{
    public void WriteField(ref Writer writer, uint fieldId, T? value)
    {
        if (value.HasValue)
        {
            Codec<T>.Instance.WriteField(ref writer, fieldId, value.GetValueOrDefault());
        }
        else
        {
            writer.WriteNull(fieldId);
        }
    }

    public T? ReadValue(ref Reader reader, Field field) =>
        field.WireType == WireType.Null ? null : Codec<T>.Instance.ReadValue(ref reader, field);
}

/// <summary>An object with the key as field 1 and the value as field 2.</summary>
internal sealed class KeyValuePairCodec<TKey, TValue> : IFieldCodec<KeyValuePair<TKey, TValue>>
{
    public void WriteField(ref Writer writer, uint fieldId, KeyValuePair<TKey, TValue> value)
    {
        writer.WriteStartObject(fieldId);
        Codec<TKey>.Instance.WriteField(ref writer, 1, value.Key);
        Codec<TValue>.Instance.WriteField(ref writer, 2, value.Value);
        writer.WriteEndObject();
    }

    public KeyValuePair<TKey, TValue> ReadValue(ref Reader reader, Field field)
    {
        reader.EnterObject(field);
        TKey key = default!;
        TValue value = default!;
        while (reader.TryReadField(out var f))
        {
            switch (f.Id)
            {
                case 1: key = Codec<TKey>.Instance.ReadValue(ref reader, f); break;
                case 2: value = Codec<TValue>.Instance.ReadValue(ref reader, f); break;
                default: reader.SkipField(f); break;
            }
        }

        return new KeyValuePair<TKey, TValue>(key, value);
    }
}
