namespace OrleansCompute;

/// <summary>A grain interface whose grains are identified by a Guid key.</summary>
public interface IGrainWithGuidKey : IGrain;
