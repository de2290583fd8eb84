namespace OrleansCompute.Chaos.Tests;

/// <summary>Chaos tests start their own servers, processes and networks; run them one at a time.</summary>
[CollectionDefinition("chaos", DisableParallelization = true)]
public sealed class ChaosCollection;
