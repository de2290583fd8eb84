using OrleansCompute.Storage;

namespace OrleansCompute.Persistence.Tests.LogConformance;

public sealed class MemoryGrainLogStorageConformanceTests : GrainLogStorageConformanceTests
{
    protected override Task<IGrainLogStorage> CreateStorageAsync()
        => Task.FromResult<IGrainLogStorage>(new MemoryGrainStorage("memory-log-conformance", new JsonGrainStorageSerializer()));
}
