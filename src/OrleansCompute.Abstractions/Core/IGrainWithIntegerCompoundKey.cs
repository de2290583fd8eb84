namespace OrleansCompute;

/// <summary>A grain interface whose grains are identified by a long key plus a string key extension.</summary>
public interface IGrainWithIntegerCompoundKey : IGrain;
