namespace OrleansCompute.Serialization;

/// <summary>Writes and reads one value of <typeparamref name="T"/> as a single field.</summary>
public interface IFieldCodec<T>
{
    /// <summary>Writes <paramref name="value"/> as field <paramref name="fieldId"/> (header included; null as <see cref="WireType.Null"/>).</summary>
    void WriteField(ref Writer writer, uint fieldId, T value);

    /// <summary>Reads the payload of <paramref name="field"/>, whose header has already been read.</summary>
    T ReadValue(ref Reader reader, Field field);
}
