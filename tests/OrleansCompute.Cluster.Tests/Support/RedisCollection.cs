using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cluster.Tests.Support;

/// <summary>
/// One redis-server for the assembly (failover tests keep membership and grain state in it). Every test class that
/// deploys a TestCluster joins this collection, Redis or not, so clusters never run side by side on the 2-core test
/// machine: a starved silo would miss its 1 s probes and be declared dead by mistake.
/// </summary>
[CollectionDefinition(RedisServerFixture.CollectionName)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;
