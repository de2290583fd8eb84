using Microsoft.Extensions.Options;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;

namespace OrleansCompute.Membership.Tests.Support;

/// <summary>Creates Redis providers for tests.</summary>
public static class RedisProviders
{
    public const string ServiceId = "membership-tests";

    public static RedisMembershipTable Table(string connectionString, string clusterId, string serviceId = ServiceId, TimeSpan? timeout = null)
        => new(
            Options.Create(new RedisClusteringOptions { ConnectionString = connectionString, OperationTimeout = timeout ?? RedisClusteringOptions.DefaultOperationTimeout }),
            Options.Create(new SiloOptions { ServiceId = serviceId, ClusterId = clusterId }));

    public static RedisGrainDirectory Directory(string connectionString, string clusterId, string serviceId = ServiceId, TimeSpan? timeout = null)
        => new(
            Options.Create(new RedisGrainDirectoryOptions { ConnectionString = connectionString, OperationTimeout = timeout ?? RedisGrainDirectoryOptions.DefaultOperationTimeout }),
            Options.Create(new SiloOptions { ServiceId = serviceId, ClusterId = clusterId }));
}
