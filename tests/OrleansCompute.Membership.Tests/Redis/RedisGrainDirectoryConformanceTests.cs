using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership.Tests.Conformance;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Membership.Tests.Redis;

[Collection(RedisServerFixture.CollectionName)]
public sealed class RedisGrainDirectoryConformanceTests(RedisServerFixture redis) : GrainDirectoryConformanceTests
{
    // Each call is a separate provider instance with its own connection, as each silo would have.
    protected override Task<IGrainDirectory> CreateDirectoryAsync(string clusterId)
        => Task.FromResult<IGrainDirectory>(RedisProviders.Directory(redis.ConnectionString, clusterId));
}
