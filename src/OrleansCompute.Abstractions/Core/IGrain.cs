namespace OrleansCompute;

/// <summary>Marker for grain interfaces. Prefer one of the keyed variants.</summary>
public interface IGrain : IAddressable;
