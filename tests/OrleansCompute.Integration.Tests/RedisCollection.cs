namespace OrleansCompute.Integration.Tests;

/// <summary>Integration tests start their own servers and processes; run them one at a time.</summary>
[CollectionDefinition("integration", DisableParallelization = true)]
public sealed class IntegrationCollection;
