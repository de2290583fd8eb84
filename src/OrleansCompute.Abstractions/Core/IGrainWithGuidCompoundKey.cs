namespace OrleansCompute;

/// <summary>A grain interface whose grains are identified by a Guid key plus a string key extension.</summary>
public interface IGrainWithGuidCompoundKey : IGrain;
