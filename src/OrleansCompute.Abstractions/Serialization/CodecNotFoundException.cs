namespace OrleansCompute.Serialization;

/// <summary>No codec exists for a type: it needs <c>[GenerateSerializer]</c> or a registered codec.</summary>
public sealed class CodecNotFoundException : SerializerException
{
    public CodecNotFoundException(Type type)
        : base($"Type '{type}' is not serializable: add [GenerateSerializer] to it and [Id(n)] to the members to serialize, "
            + "or register a codec with CodecRegistry.Register.")
    {
        Type = type;
    }

    /// <summary>The type that has no codec.</summary>
    public Type Type { get; }
}
