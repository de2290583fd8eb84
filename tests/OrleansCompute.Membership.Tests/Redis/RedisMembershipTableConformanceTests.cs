using OrleansCompute.Membership.Tests.Conformance;
using OrleansCompute.Membership.Tests.Support;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Membership.Tests.Redis;

[Collection(RedisServerFixture.CollectionName)]
public sealed class RedisMembershipTableConformanceTests(RedisServerFixture redis) : MembershipTableConformanceTests
{
    // Each call is a separate provider instance with its own connection, as each silo would have.
    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
        => Task.FromResult<IMembershipTable>(RedisProviders.Table(redis.ConnectionString, clusterId));
}
