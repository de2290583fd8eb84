using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>One real Azurite shared by the Azurite test classes of this assembly (they use fresh container and blob names).</summary>
[CollectionDefinition(AzuriteServerFixture.CollectionName)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServerFixture>;
