using OrleansCompute.Runtime;

namespace OrleansCompute.Invocation;

/// <summary>What generated code tells the runtime about one grain class.</summary>
/// <param name="GrainClass">The grain implementation type.</param>
/// <param name="GrainType">The grain type name used in <see cref="GrainId"/> (see <see cref="GrainTypeAttribute"/>).</param>
/// <param name="Interfaces">Every grain interface the class implements.</param>
/// <param name="Factory">Constructs the grain for an activation, resolving constructor parameters from services (no reflection).</param>
public sealed record GrainClassMetadata(
    Type GrainClass,
    string GrainType,
    IReadOnlyList<Type> Interfaces,
    Func<IServiceProvider, IGrainContext, object> Factory);
