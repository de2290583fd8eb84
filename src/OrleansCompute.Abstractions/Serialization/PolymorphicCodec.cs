using System.Collections.Concurrent;

namespace OrleansCompute.Serialization;

/// <summary>
/// Writes and reads values whose runtime type differs from the declared type: a
/// <see cref="WireType.TypedObject"/> carrying the type's wire name (see <see cref="TypeNames"/>) and the
/// value as field 0, written by the runtime type's own codec.
/// </summary>
public static class PolymorphicCodec
{
    private static readonly ConcurrentDictionary<Type, IUntypedCodec> s_untyped = new();

    /// <summary>Writes <paramref name="value"/> with its runtime type's codec, tagged with its type name.</summary>
    public static void WriteField(ref Writer writer, uint fieldId, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = value.GetType();
        writer.WriteStartTypedObject(fieldId, TypeNames.GetName(type));
        GetUntyped(type).WriteField(ref writer, 0, value);
        writer.WriteEndObject();
    }

    /// <summary>Reads a <see cref="WireType.TypedObject"/> field as <typeparamref name="T"/>.</summary>
    public static T ReadValue<T>(ref Reader reader, Field field)
    {
        var name = reader.EnterTypedObject(field);
        var type = TypeNames.Resolve(name)
            ?? throw new SerializerException($"Cannot deserialize a value of type '{name}': the type is not known here (missing assembly, or [Alias] not registered).");
        if (!typeof(T).IsAssignableFrom(type))
        {
            throw new SerializerException($"Cannot deserialize a value of type '{name}' into a member of type '{typeof(T)}'.");
        }

        var codec = GetUntyped(type);
        object? result = null;
        while (reader.TryReadField(out var inner))
        {
            if (inner.Id == 0)
            {
                result = codec.ReadValue(ref reader, inner);
            }
            else
            {
                reader.SkipField(inner);
            }
        }

        return (T)result!;
    }

    private static IUntypedCodec GetUntyped(Type type) => s_untyped.GetOrAdd(
        type,
        static t => (IUntypedCodec)Activator.CreateInstance(typeof(UntypedCodec<>).MakeGenericType(t))!);

    private interface IUntypedCodec
    {
        void WriteField(ref Writer writer, uint fieldId, object value);

        object? ReadValue(ref Reader reader, Field field);
    }

    private sealed class UntypedCodec<T> : IUntypedCodec
    {
        public void WriteField(ref Writer writer, uint fieldId, object value) => Codec<T>.Instance.WriteField(ref writer, fieldId, (T)value);

        public object? ReadValue(ref Reader reader, Field field) => Codec<T>.Instance.ReadValue(ref reader, field);
    }
}
