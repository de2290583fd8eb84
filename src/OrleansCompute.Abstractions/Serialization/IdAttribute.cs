namespace OrleansCompute;

/// <summary>The stable wire id of a serialized field or property (never reuse an id for another meaning).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Method | AttributeTargets.Parameter)]
public sealed class IdAttribute(uint id) : Attribute
{
    public uint Id { get; } = id;
}
