using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Hosting;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cluster.Tests.Support;

/// <summary>
/// Orleans TestClusters whose silos run the compute grains (<see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/>)
/// and this assembly's test grains. Without Redis: memory grain storage and TestCluster's own membership and
/// in-memory transport, for tests that never kill or stop a silo (memory storage lives in grains and dies with its
/// silo). With Redis: Orleans's Redis clustering and grain storage shared by every silo, TCP sockets, and failure
/// detection tuned to declare a killed silo dead in about 2 s.
/// </summary>
public static class TestClusters
{
    private const string Section = "ClusterTests";

    public static async Task<TestCluster> DeployAsync(short silos, RedisServerFixture? redis = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        if (redis is not null)
        {
            // Real loopback TCP: a killed silo's connections reset as a crashed process's would (the default
            // in-memory transport is for tests that never kill one). Membership in Redis: any silo may be killed.
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
            builder.Options.UseTestClusterMembership = false;
            builder.Properties[$"{Section}:Redis"] = redis.ConnectionString;
        }

        builder.Properties[$"{Section}:Silos"] = silos.ToString(CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The silo with this address (to kill or stop it).</summary>
    public static SiloHandle Silo(this TestCluster cluster, SiloAddress address) => cluster.Silos.Single(s => s.SiloAddress.Equals(address));

    /// <summary>The default grain storage of a live silo (Redis or memory: every silo sees the same state), to read what grains wrote.</summary>
    public static IGrainStorage Storage(this TestCluster cluster) =>
        cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);

    /// <summary>A dataset's partition logs as the storage holds them (snapshot + records), read as a new activation would.</summary>
    public static async Task<GrainLog[]> PartitionLogsAsync(this TestCluster cluster, string dataset)
    {
        var storage = cluster.Storage();
        var logs = new GrainLog[StreamTopology.Partitions];
        for (var p = 0; p < logs.Length; p++)
        {
            var grain = cluster.Client.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, p)).GetGrainId();
            logs[p] = await new StateBackedGrainLog(storage).ReadLogAsync(StreamPartitionGrain.LogName, grain);
        }

        return logs;
    }

    /// <summary>What a caller may see while a silo it called is dying: the call is safe to try again.</summary>
    public static bool IsFailover(Exception ex) => ex is OrleansException or TimeoutException;

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            TestSiloLogs.AddTo(siloBuilder.Services, "ClusterTests");
            var config = siloBuilder.Configuration.GetSection(Section);
            siloBuilder.AddOrleansCompute();
            if (config["Redis"] is { Length: > 0 } redis)
            {
                siloBuilder.UseRedisClustering(redis);
                siloBuilder.AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
                // The product's failure-detection profile, with the table re-read every second and probes capped at 2 s; a 2-silo
                // cluster has one voter left when a silo dies.
                var silos = int.Parse(config["Silos"] ?? "3", CultureInfo.InvariantCulture);
                siloBuilder.UseFastFailureDetection(o =>
                {
                    o.MaxProbeTimeout = TimeSpan.FromSeconds(2);
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                    o.NumVotesForDeathDeclaration = silos >= 3 ? 2 : 1;
                });
            }
            else
            {
                siloBuilder.AddMemoryGrainStorageAsDefault();
            }
        }
    }

    /// <summary>
    /// The test client: a response timeout of 15 s instead of 30 s, so a call whose request died with a killed silo
    /// fails (and is retried) sooner; with Redis, the gateway list comes from Redis and is re-read every second.
    /// </summary>
    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15));
            if (configuration[$"{Section}:Redis"] is { Length: > 0 } redis)
            {
                clientBuilder.UseRedisClustering(redis);
                clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            }
        }
    }
}
