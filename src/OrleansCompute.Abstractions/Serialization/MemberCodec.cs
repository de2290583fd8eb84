namespace OrleansCompute.Serialization;

/// <summary>The member codec of a <c>[GenerateSerializer]</c> class, used by codecs of classes derived from it.</summary>
public static class MemberCodec<T>
    where T : class
{
    private static IMemberCodec<T>? s_instance;

    public static IMemberCodec<T> Instance => s_instance ??= Codec<T>.Instance as IMemberCodec<T>
        ?? throw new SerializerException($"Type '{typeof(T)}' has no generated member codec: add [GenerateSerializer] to it.");
}
