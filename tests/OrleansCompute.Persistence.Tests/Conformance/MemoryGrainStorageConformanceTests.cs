using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.Conformance;

public sealed class MemoryGrainStorageConformanceTests : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync()
        => Task.FromResult<IGrainStorage>(new MemoryGrainStorage("memory-conformance", new JsonGrainStorageSerializer()));
}
