using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansCompute.Compute.Tests.Jobs;
using OrleansCompute.Examples.RouteStats;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Support;

/// <summary>What the silos of a test cluster are given (through <see cref="TestClusterBuilder.Properties"/>, which reach every silo's configuration).</summary>
public sealed record ComputeClusterSettings
{
    /// <summary>The folder jobs read (the silos' data root).</summary>
    public required string DataRoot { get; init; }

    /// <summary>
    /// <c>address:port</c> of a redis-server: the silos share Orleans's Redis grain storage, so state survives a killed
    /// silo. Null: Orleans's memory grain storage, which lives in grains on the silos and dies with them (tests that
    /// never kill or stop a silo).
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>The job kinds: "test" (built-in + the slow and throwing test kinds) or "routes" (built-in + the README's RouteStats example).</summary>
    public string Kinds { get; init; } = "test";

    public int MaxSplitsInFlight { get; init; } = 4;

    /// <summary>Name of a <see cref="FinalWriteHold"/> that wraps the default storage; null: none.</summary>
    public string? HoldFinalWrite { get; init; }
}

/// <summary>Builds TestClusters whose silos run the compute grains (<see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/>).</summary>
public static class ComputeTestCluster
{
    private const string Section = "ComputeTests";

    public static TestCluster Build(short silos, ComputeClusterSettings settings)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        if (settings.Redis is not null)
        {
            // Failover tests kill silos: real loopback TCP sockets, so a killed silo's connections reset as a crashed
            // process's would (the default in-memory transport is for tests that never kill one). Membership lives in
            // Redis too, not in TestCluster's development table on the first silo, so any silo may be killed.
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
            builder.Options.UseTestClusterMembership = false;
        }

        builder.Properties[$"{Section}:DataRoot"] = settings.DataRoot;
        builder.Properties[$"{Section}:Redis"] = settings.Redis;
        builder.Properties[$"{Section}:Kinds"] = settings.Kinds;
        builder.Properties[$"{Section}:MaxSplitsInFlight"] = settings.MaxSplitsInFlight.ToString(CultureInfo.InvariantCulture);
        builder.Properties[$"{Section}:HoldFinalWrite"] = settings.HoldFinalWrite;
        builder.Properties[$"{Section}:Silos"] = silos.ToString(CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        return builder.Build();
    }

    /// <summary>Where the grain is active now (searching the live silos' activations), or null when it is active nowhere.</summary>
    public static SiloAddress? Where(this TestCluster cluster, GrainId grain) =>
        cluster.TryGetGrainContext(grain, out var context) ? context.Address.SiloAddress : null;

    /// <summary>Each test silo: the compute grains over the data root, the storage the test asked for, fast failure detection.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            TestSiloLogs.AddTo(siloBuilder.Services, "ComputeTests");
            var config = siloBuilder.Configuration.GetSection(Section);
            var dataRoot = config["DataRoot"] ?? throw new InvalidOperationException("ComputeTests:DataRoot is not set");
            var maxInFlight = int.Parse(config["MaxSplitsInFlight"] ?? "4", CultureInfo.InvariantCulture);
            siloBuilder.AddOrleansCompute(o =>
            {
                o.DataRoots.Add(dataRoot);
                o.Jobs = new JobGrainOptions { MaxSplitsInFlight = maxInFlight, AggregatorCount = 3, SplitAttempts = 8, RetryBackoff = TimeSpan.FromMilliseconds(200) };
                o.Kinds = config["Kinds"] == "routes" ? RouteStatsJob.Register(ComputeJobRegistry.CreateDefault()) : SlowWordCountJob.CreateRegistry();
            });

            var storageName = config["HoldFinalWrite"] is { Length: > 0 } ? "inner" : Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME;
            if (config["Redis"] is { Length: > 0 } redis)
            {
                siloBuilder.UseRedisClustering(redis);
                siloBuilder.AddRedisGrainStorage(storageName, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
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
                siloBuilder.AddMemoryGrainStorage(storageName);
            }

            if (config["HoldFinalWrite"] is { Length: > 0 } hold)
            {
                // As Add…GrainStorageAsDefault does: keyed "Default" and the unkeyed IGrainStorage that [PersistentState] without a name reads.
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
                    (services, _) => new FinalWriteHold.Storage(services.GetRequiredKeyedService<IGrainStorage>("inner"), FinalWriteHold.Get(hold)));
                siloBuilder.Services.AddSingleton(services => services.GetRequiredKeyedService<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            }
        }
    }

    /// <summary>
    /// The test client: a response timeout of 15 s instead of 30 s, so a call whose request died with a killed silo
    /// fails (and is retried) sooner (long polls carry their own: <c>[ResponseTimeout]</c> on WaitForEnd); with Redis,
    /// the gateway list comes from Redis and is re-read every second, so silos started later are found.
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

/// <summary>Holds a job grain's write of its final (Completed) state until the test releases it (see <see cref="FinalStateDurabilityTests"/>).</summary>
public sealed class FinalWriteHold
{
    private static readonly ConcurrentDictionary<string, FinalWriteHold> s_holds = new(StringComparer.Ordinal);

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static (string Name, FinalWriteHold Hold) Create()
    {
        var name = Guid.NewGuid().ToString("N");
        var hold = new FinalWriteHold();
        s_holds[name] = hold;
        return (name, hold);
    }

    public static FinalWriteHold Get(string name) => s_holds[name];

    /// <summary>Every call goes straight to the inner storage, except a job's write of a Completed state, which waits for the release.</summary>
    public sealed class Storage(IGrainStorage inner, FinalWriteHold hold) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is JobGrainState { State: JobState.Completed })
            {
                hold.Started.TrySetResult();
                await hold.Release.Task;
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
