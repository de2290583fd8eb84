namespace OrleansCompute;

/// <summary>
/// Asks the code generator for a binary serializer for this type. Members to serialize carry
/// <see cref="IdAttribute"/>; unknown ids are skipped when reading, so older readers accept newer writers.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class GenerateSerializerAttribute : Attribute;
