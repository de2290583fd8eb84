namespace OrleansCompute.Serialization;

/// <summary>
/// Implemented by generated codecs of classes: writes and reads the members a class declares, so a
/// derived class's codec can nest its base class's members (in a field with id <see cref="CodecRegistry.BaseMembersFieldId"/>).
/// </summary>
public interface IMemberCodec<in T>
    where T : class
{
    /// <summary>Writes the members (no object header, no end marker).</summary>
    void WriteMembers(ref Writer writer, T value);

    /// <summary>Reads members into <paramref name="value"/> until the end of the enclosing object (consumes the end marker).</summary>
    void ReadMembers(ref Reader reader, T value);
}
