namespace OrleansCompute.Serialization.Codecs;

/// <summary>Codec for object, interfaces and abstract classes without a codec of their own: always tagged with the runtime type.</summary>
internal sealed class PolymorphicCodec<T> : IFieldCodec<T>
{
    public void WriteField(ref Writer writer, uint fieldId, T value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }

        PolymorphicCodec.WriteField(ref writer, fieldId, value);
    }

    public T ReadValue(ref Reader reader, Field field) => field.WireType switch
    {
        WireType.Null => default!,
        WireType.TypedObject => PolymorphicCodec.ReadValue<T>(ref reader, field),
        _ => throw Reader.UnexpectedWireType(field, WireType.TypedObject),
    };
}
