using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>A JSON serializer that counts its calls, to see which serializer a provider was given.</summary>
public sealed class CountingSerializer : IGrainStorageSerializer
{
    private readonly JsonGrainStorageSerializer _inner = new();
    private int _serializeCalls;

    public int SerializeCalls => _serializeCalls;

    public byte[] Serialize<T>(T value)
    {
        Interlocked.Increment(ref _serializeCalls);
        return _inner.Serialize(value);
    }

    public T Deserialize<T>(ReadOnlyMemory<byte> data) => _inner.Deserialize<T>(data);
}
