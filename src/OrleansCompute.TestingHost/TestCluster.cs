using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCompute.Client;
using OrleansCompute.Cluster;
using OrleansCompute.Configuration;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Hosting;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;

namespace OrleansCompute.TestingHost;

/// <summary>
/// Several silos in this process, talking over real loopback TCP, sharing an in-memory membership
/// table, grain directory and grain storage (so state survives a killed silo), plus a
/// <see cref="Client"/> that connects through the silos' gateways like an external process would.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly Action<ISiloBuilder>[] _siloConfigurators;
    private readonly Action<ClusterClientOptions>[] _clientConfigurators;
    private readonly List<SiloHandle> _silos = [];
    private readonly string _secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private ClusterClient? _client;
    private int _siloCounter;

    internal TestCluster(TestClusterOptions options, Action<ISiloBuilder>[] siloConfigurators, Action<ClusterClientOptions>[] clientConfigurators)
    {
        _options = options;
        _siloConfigurators = siloConfigurators;
        _clientConfigurators = clientConfigurators;
        MembershipTable = new InMemoryMembershipTable(options.ClusterId);
        GrainDirectory = new InMemoryGrainDirectory();
        Storage = new MemoryGrainStorage(ProviderConstants.DefaultStorageProviderName, new JsonGrainStorageSerializer());
    }

    public TestClusterOptions Options => _options;

    /// <summary>The membership table every silo (and the client) uses.</summary>
    public InMemoryMembershipTable MembershipTable { get; }

    public InMemoryGrainDirectory GrainDirectory { get; }

    /// <summary>The <c>Default</c> grain storage shared by all silos.</summary>
    public MemoryGrainStorage Storage { get; }

    /// <summary>A client connected through the gateways.</summary>
    public IClusterClient Client => _client ?? throw new InvalidOperationException("Call DeployAsync first.");

    public IGrainFactory GrainFactory => Client;

    /// <summary>Silos that are running.</summary>
    public IReadOnlyList<SiloHandle> Silos => [.. _silos.Where(s => s.IsActive)];

    public SiloHandle Primary => Silos[0];

    /// <summary>Starts the initial silos (in parallel) and connects the client.</summary>
    public async Task DeployAsync()
    {
        var silos = await Task.WhenAll(Enumerable.Range(0, _options.InitialSilosCount).Select(_ => StartSiloAsync())).ConfigureAwait(false);
        lock (_silos)
        {
            _silos.AddRange(silos.OrderBy(s => s.Name, StringComparer.Ordinal));
        }

        var clientOptions = new ClusterClientOptions
        {
            ClusterId = _options.ClusterId,
            ClusterSecret = _secret,
            Gateways = [.. silos.Where(s => s.GatewayAddress is not null).Select(s => s.GatewayAddress!.ToString())],
            GatewayRefreshInterval = TimeSpan.FromMilliseconds(500),
        };
        foreach (var configure in _clientConfigurators)
        {
            configure(clientOptions);
        }

        _client = new ClusterClient(clientOptions, new ServiceCollection().BuildServiceProvider(), MembershipTable, TimeProvider.System,
            NullLogger<ClusterClient>.Instance);
        await _client.ConnectAsync().ConfigureAwait(false);
        await WaitForLivenessToStabilizeAsync().ConfigureAwait(false);
    }

    public async Task<SiloHandle> StartAdditionalSiloAsync()
    {
        var silo = await StartSiloAsync().ConfigureAwait(false);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        await WaitForLivenessToStabilizeAsync().ConfigureAwait(false);
        return silo;
    }

    private async Task<SiloHandle> StartSiloAsync()
    {
        var name = "silo" + Interlocked.Increment(ref _siloCounter);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["OrleansCompute:Silo:SiloName"] = name,
            ["OrleansCompute:Silo:ClusterId"] = _options.ClusterId,
            ["OrleansCompute:Silo:ServiceId"] = _options.ServiceId,
            ["OrleansCompute:Silo:ClusterSecret"] = _secret,
            ["OrleansCompute:Endpoints:AdvertisedAddress"] = "127.0.0.1",
            ["OrleansCompute:Endpoints:SiloPort"] = "0",
            ["OrleansCompute:Endpoints:GatewayPort"] = "0",
        };
        foreach (var pair in _options.Configuration)
        {
            settings[pair.Key] = pair.Value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (FileLoggerProvider.FromEnvironment(_options.ClusterId, name) is { } fileLog)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddProvider(fileLog);
        }
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.UseOrleansCompute(silo =>
        {
            silo.UseInMemoryClustering(MembershipTable);
            silo.UseInMemoryGrainDirectory(GrainDirectory);
            silo.Services.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DefaultStorageProviderName, Storage);
            foreach (var configure in _siloConfigurators)
            {
                configure(silo);
            }
        });
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var cluster = host.Services.GetRequiredService<ClusterSilo>();
        return new SiloHandle(name, host, cluster.Address!, cluster.GatewayEndpoint);
    }

    /// <summary>Graceful: deactivates the silo's grains (running OnDeactivateAsync), leaves the cluster, stops.</summary>
    public async Task StopSiloAsync(SiloHandle silo)
    {
        EnsureMine(silo);
        silo.IsActive = false;
        await silo.Host.StopAsync().ConfigureAwait(false);
        silo.Host.Dispose();
    }

    /// <summary>Abrupt, as if the process died: connections reset, no deactivation, no goodbye in the table.
    /// The other silos must detect the death.</summary>
    public async Task KillSiloAsync(SiloHandle silo)
    {
        EnsureMine(silo);
        silo.IsActive = false;
        var services = silo.Host.Services;
        services.GetRequiredService<SiloHost>().Killed = true;
        await services.GetRequiredService<ClusterSilo>().KillAsync().ConfigureAwait(false);
        await silo.Host.StopAsync().ConfigureAwait(false);
        silo.Host.Dispose();
    }

    private void EnsureMine(SiloHandle silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        lock (_silos)
        {
            if (!_silos.Contains(silo))
            {
                throw new ArgumentException($"{silo} does not belong to this test cluster.", nameof(silo));
            }
        }
    }

    /// <summary>Stops a silo gracefully and starts a new one (a new member with a new generation).</summary>
    public async Task<SiloHandle> RestartSiloAsync(SiloHandle silo)
    {
        await StopSiloAsync(silo).ConfigureAwait(false);
        return await StartAdditionalSiloAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until the table's active members are exactly the running silos and every running silo sees them.</summary>
    public async Task WaitForLivenessToStabilizeAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var running = Silos.Select(s => s.SiloAddress).ToHashSet();
            var data = await MembershipTable.ReadAll().ConfigureAwait(false);
            var active = data.Members.Where(m => m.Entry.Status == SiloStatus.Active).Select(m => m.Entry.SiloAddress).ToHashSet();
            var everyoneAgrees = Silos.All(s =>
            {
                var view = s.ServiceProvider.GetRequiredService<ClusterSilo>().Membership.View;
                return view.ActiveSilos.Length == running.Count && view.ActiveSilos.All(running.Contains);
            });
            if (active.SetEquals(running) && everyoneAgrees)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Membership did not stabilize: running [{string.Join(", ", running)}], active in table [{string.Join(", ", active)}].");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var silo in Silos)
        {
            await KillSiloAsync(silo).ConfigureAwait(false);
        }
    }
}
