namespace OrleansCompute;

/// <summary>Marker for anything that has a grain identity: grain interfaces and grain classes.</summary>
public interface IAddressable;
