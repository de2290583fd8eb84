namespace OrleansCompute.Serialization;

/// <summary>
/// The low three bits of a field header: how the field's payload is laid out, so a reader can
/// skip a field it does not know without knowing its type.
/// </summary>
public enum WireType : byte
{
    /// <summary>A base-128 varint (integers, bools, enums; signed values are zig-zag encoded).</summary>
    VarInt = 0,

    /// <summary>Eight little-endian bytes (double, DateTime).</summary>
    Fixed64 = 1,

    /// <summary>A varint byte count followed by that many bytes (strings, byte arrays, Guid, decimal).</summary>
    LengthPrefixed = 2,

    /// <summary>Starts a nested object (or collection); its fields follow until <see cref="EndObject"/>.</summary>
    StartObject = 3,

    /// <summary>Ends the innermost object. Its field id is always zero.</summary>
    EndObject = 4,

    /// <summary>Four little-endian bytes (float).</summary>
    Fixed32 = 5,

    /// <summary>A null reference (or an empty Nullable); no payload.</summary>
    Null = 6,

    /// <summary>
    /// Like <see cref="StartObject"/> but first carries a length-prefixed UTF-8 type name: used when the
    /// runtime type differs from the declared one (polymorphism). The value is field 0 inside it.
    /// </summary>
    TypedObject = 7,
}
