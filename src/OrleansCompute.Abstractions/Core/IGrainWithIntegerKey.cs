namespace OrleansCompute;

/// <summary>A grain interface whose grains are identified by a long (Int64) key.</summary>
public interface IGrainWithIntegerKey : IGrain;
