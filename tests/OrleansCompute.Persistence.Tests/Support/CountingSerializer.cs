using Orleans.Storage;

namespace OrleansCompute.Persistence.Tests.Support;

/// <summary>Orleans's JSON grain storage serializer, counting its calls, to see which serializer a provider was given.</summary>
public sealed class CountingSerializer : IGrainStorageSerializer
{
    private int _serializeCalls;

    public int SerializeCalls => _serializeCalls;

    public BinaryData Serialize<T>(T? input)
    {
        Interlocked.Increment(ref _serializeCalls);
        return TestStorage.Serializer.Serialize(input);
    }

    public T? Deserialize<T>(BinaryData input) => TestStorage.Serializer.Deserialize<T>(input);
}
