using OrleansCompute.Runtime;

namespace OrleansCompute.Invocation;

/// <summary>What generated code tells the runtime about one grain interface.</summary>
/// <param name="InterfaceType">The grain interface.</param>
/// <param name="ProxyFactory">Creates the generated proxy.</param>
public sealed record GrainInterfaceMetadata(Type InterfaceType, Func<IGrainReferenceRuntime, GrainId, GrainReference> ProxyFactory);
