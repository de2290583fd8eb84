using System.Runtime.CompilerServices;
using OrleansCompute.Serialization;

namespace OrleansCompute.Invocation;

/// <summary>Wire codec of <see cref="VoidResult"/>: an empty varint field.</summary>
internal sealed class VoidResultCodec : IFieldCodec<VoidResult>
{
    public void WriteField(ref Writer writer, uint fieldId, VoidResult value)
    {
        writer.WriteFieldHeader(fieldId, WireType.VarInt);
        writer.WriteVarUInt32(0);
    }

    public VoidResult ReadValue(ref Reader reader, Field field)
    {
        reader.SkipField(field);
        return default;
    }

#pragma warning disable CA2255 // Abstractions registers its own hand-written codecs like generated code does.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => CodecRegistry.Register(new VoidResultCodec());
}
