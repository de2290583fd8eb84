using OrleansCompute.Storage;

namespace OrleansCompute.Serialization;

/// <summary>Grain state in the tagged binary format: old and new versions of a state type read each other's bytes.</summary>
public sealed class BinaryGrainStorageSerializer : IGrainStorageSerializer
{
    public byte[] Serialize<T>(T value) => Serializer.Serialize(value);

    public T Deserialize<T>(ReadOnlyMemory<byte> data) => Serializer.Deserialize<T>(data.Span);
}
