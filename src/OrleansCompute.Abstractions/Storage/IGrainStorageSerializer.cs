namespace OrleansCompute.Storage;

/// <summary>Turns grain state into bytes for storage providers and back.</summary>
public interface IGrainStorageSerializer
{
    byte[] Serialize<T>(T value);

    T Deserialize<T>(ReadOnlyMemory<byte> data);
}
