using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Persistence.Tests.Conformance;

/// <summary>The storage contract against a real Azurite Blob service (one per test class run; fresh ids per test).</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class AzureBlobGrainStorageConformanceTests(AzuriteServerFixture azurite) : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync()
        => Task.FromResult<IGrainStorage>(new AzureBlobGrainStorage(
            "azure-conformance",
            new AzureBlobGrainStorageOptions { ConnectionString = azurite.ConnectionString, ContainerName = "conformance" },
            "conformance-tests",
            new JsonGrainStorageSerializer()));
}

/// <summary>One Azurite shared by the Azure test classes of this assembly.</summary>
[CollectionDefinition(AzuriteServerFixture.CollectionName)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServerFixture>;
