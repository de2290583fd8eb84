namespace OrleansCompute.Serialization;

/// <summary>
/// Serialization or deserialization failed: truncated or corrupt input, a wire type that does not
/// match the declared member type, an object graph that is too deep (cycles), or a type without a codec.
/// </summary>
public class SerializerException : Exception
{
    public SerializerException(string message) : base(message)
    {
    }

    public SerializerException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
