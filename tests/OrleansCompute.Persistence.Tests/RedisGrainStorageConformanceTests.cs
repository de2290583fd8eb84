using OrleansCompute.Persistence.Tests.Conformance;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Persistence.Tests;

[Collection(RedisServerFixture.CollectionName)]
public sealed class RedisGrainStorageConformanceTests(RedisServerFixture redis) : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync()
        => Task.FromResult<IGrainStorage>(new RedisGrainStorage(
            "redis-conformance",
            new RedisGrainStorageOptions { ConnectionString = redis.ConnectionString },
            "conformance-tests",
            new JsonGrainStorageSerializer()));
}
