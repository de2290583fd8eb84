namespace OrleansCompute.Runtime;

/// <summary>Implemented by grains and grain references: exposes the grain identity.</summary>
public interface IHasGrainId
{
    GrainId GrainId { get; }
}
