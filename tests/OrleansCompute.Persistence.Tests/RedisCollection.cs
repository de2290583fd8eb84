using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Persistence.Tests;

/// <summary>One real redis-server shared by every Redis test class of this assembly (they run one after another).</summary>
[CollectionDefinition(RedisServerFixture.CollectionName)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;
