namespace OrleansCompute;

/// <summary>An outgoing call, seen by the caller's filters.</summary>
public interface IOutgoingGrainCallContext : IGrainCallContext;
