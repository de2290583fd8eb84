using OrleansCompute.Runtime;

namespace OrleansCompute;

/// <summary>An incoming call, seen by the target silo's filters.</summary>
public interface IIncomingGrainCallContext : IGrainCallContext
{
    IGrainContext TargetContext { get; }
}
