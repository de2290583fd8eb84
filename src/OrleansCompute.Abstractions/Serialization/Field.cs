namespace OrleansCompute.Serialization;

/// <summary>A decoded field header: the member's <c>[Id]</c> and how its payload is encoded.</summary>
public readonly record struct Field(uint Id, WireType WireType)
{
    /// <summary>True when the field holds a null reference.</summary>
    public bool IsNull => WireType == WireType.Null;

    public override string ToString() => $"field {Id} ({WireType})";
}
