using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Activation;
using OrleansCompute.Configuration;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Membership;
using OrleansCompute.Messaging;
using OrleansCompute.Messaging.Transport;
using OrleansCompute.Runtime;

namespace OrleansCompute.Cluster;

/// <summary>
/// The clustered part of a silo (present when a membership table is configured): listeners, the
/// membership agent and the cluster dispatcher, started after the local runtime and stopped
/// gracefully (leave the table, close connections) or abruptly (a kill: connections reset, no goodbye).
/// </summary>
internal sealed partial class ClusterSilo(IServiceProvider services, ILogger<ClusterSilo> logger) : IAsyncDisposable
{
    private SiloMessageCenter? _messages;
    private MembershipAgent? _membership;
    private ClusterDispatcher? _dispatcher;

    public SiloAddress? Address => _messages?.Me;

    public IPEndPoint? GatewayEndpoint => _messages?.GatewayEndpoint;

    public MembershipAgent Membership => _membership ?? throw new InvalidOperationException("The silo has not joined a cluster.");

    public bool IsServing => _membership is { IsFenced: false };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var silo = services.GetRequiredService<IOptions<SiloOptions>>().Value;
        var endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var messaging = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var membershipOptions = services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var table = services.GetRequiredService<IMembershipTable>();
        var directory = services.GetService<IGrainDirectory>() ?? throw new InvalidOperationException(
            "A clustered silo needs a grain directory: add silo.UseInMemoryGrainDirectory(...) or silo.UseRedisGrainDirectory(...).");
        var catalog = services.GetRequiredService<Catalog>();
        var runtime = services.GetRequiredService<LocalGrainRuntime>();

        var advertised = IPAddress.Parse(endpoints.AdvertisedAddress);
        var listen = IPAddress.Parse(endpoints.ListenAddress ?? endpoints.AdvertisedAddress);
        var secret = Encoding.UTF8.GetBytes(silo.ClusterSecret!);
        var generation = SiloAddress.NewGeneration();

        // Bind the silo port first: with port 0 the real port is part of the silo's identity.
        ConnectionSettings? siloSettings = null;
        var handlerProxy = new HandlerProxy();
        var listener = new ConnectionListener(new IPEndPoint(listen, endpoints.SiloPort), _ => _messages?.SiloSettings ?? siloSettings!, handlerProxy, logger)
        {
            ExpectedPeer = PeerKind.Silo,
        };
        var me = new SiloAddress(new IPEndPoint(advertised, listener.Endpoint.Port), generation);
        siloSettings = new ConnectionSettings(PeerKind.Silo, silo.ClusterId, me.ToParsableString(), secret, messaging.MaxMessageSize,
            messaging.HandshakeTimeout, messaging.ConnectTimeout);
        _messages = new SiloMessageCenter(me, siloSettings, time, logger);
        handlerProxy.Target = _messages;
        var gateway = endpoints.GatewayPort < 0 ? null : new IPEndPoint(listen, endpoints.GatewayPort);
        _messages.Start(listener.Endpoint, gateway, listener);
        var gatewayPort = _messages.GatewayEndpoint?.Port ?? 0;

        _membership = new MembershipAgent(table, _messages, membershipOptions, silo.SiloName, gatewayPort, time, logger);
        var defaultTimeout = messaging.ResponseTimeout;
        _dispatcher = new ClusterDispatcher(catalog, directory, _messages, _membership, r => r.ResponseTimeout ?? defaultTimeout, logger);
        _messages.Deliver = (target, request, hops) =>
        {
            request.EnqueuedTimestamp = time.GetTimestamp();
            _dispatcher.Dispatch(target, request, null, hops);
        };
        _messages.Manifest = () => BuildManifest(catalog);
        _messages.HasLocalActivation = id => catalog.TryGet(id) is { State: ActivationState.Valid or ActivationState.Activating or ActivationState.Creating };
        catalog.ActivationRemoved = address => _ = _dispatcher.OnActivationRemovedAsync(address);
        _membership.SilosDied += dead => _ = _dispatcher.OnSilosDiedAsync(dead);
        _membership.Fenced += () => _ = FenceAsync();
        _membership.RowLost += () => _ = RejoinAsync();
        runtime.Cluster = _dispatcher;
        services.GetRequiredService<ActivationMaintenance>().ExtraSweep = _messages.SweepTimeouts;

        await _membership.JoinAsync(cancellationToken).ConfigureAwait(false);
        LogListening(logger, me.ToString(), gatewayPort);
    }

    private static GrainManifest BuildManifest(Catalog catalog)
    {
        catalog.Types.Refresh();
        var manifest = new GrainManifest();
        foreach (var info in catalog.Types.All)
        {
            manifest.Grains.Add(new GrainManifestEntry
            {
                GrainType = info.GrainType,
                ClassFullName = info.Metadata.GrainClass.FullName ?? info.Metadata.GrainClass.Name,
                Interfaces = [.. info.Metadata.Interfaces.Select(i => i.FullName ?? i.Name)],
            });
        }

        return manifest;
    }

    /// <summary>
    /// The table lost our row: deactivate local grains (the directory may have lost their entries too, so
    /// keeping them would risk a second activation elsewhere), take a new generation and join again.
    /// </summary>
    private async Task RejoinAsync()
    {
        try
        {
            var catalog = services.GetRequiredService<Catalog>();
            var activations = catalog.Snapshot();
            var reason = new DeactivationReason(DeactivationReasonCode.RuntimeError, "The membership row vanished; the silo rejoins as a new member.");
            foreach (var activation in activations)
            {
                activation.Deactivate(reason, CancellationToken.None);
            }

            await Task.WhenAll(activations.Select(a => a.Deactivated)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var old = _messages!.Me;
            var next = new SiloAddress(old.Endpoint, Math.Max(SiloAddress.NewGeneration(), old.Generation + 1));
            _messages.ChangeIdentity(next);
            await _membership!.RejoinAsync(CancellationToken.None).ConfigureAwait(false);
            LogRejoined(logger, old.ToString(), next.ToString());
        }
        catch (Exception ex)
        {
            LogRejoinFailed(logger, ex);
            await FenceAsync().ConfigureAwait(false);
        }
    }

    private async Task FenceAsync()
    {
        // Declared dead: stop serving at once (peers already route elsewhere), then stop the host.
        _dispatcher?.Stop();
        if (_messages is not null)
        {
            await _messages.StopAsync(abortive: true).ConfigureAwait(false);
        }

        services.GetService<IHostApplicationLifetime>()?.StopApplication();
    }

    /// <summary>Graceful: leave the membership table, then close connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_membership is not null)
        {
            await _membership.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }

        _dispatcher?.Stop();
        if (_messages is not null)
        {
            await _messages.StopAsync(abortive: false).ConfigureAwait(false);
        }
    }

    /// <summary>Abrupt: as if the process died (no table update, connections reset).</summary>
    public async Task KillAsync()
    {
        _dispatcher?.Stop();
        if (_membership is not null)
        {
            await _membership.KillAsync().ConfigureAwait(false);
        }

        if (_messages is not null)
        {
            await _messages.StopAsync(abortive: true).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_membership is not null)
        {
            await _membership.DisposeAsync().ConfigureAwait(false);
        }

        if (_messages is not null)
        {
            await _messages.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class HandlerProxy : IConnectionHandler
    {
        public SiloMessageCenter? Target { get; set; }

        public void OnFrame(Connection connection, ReadOnlySpan<byte> body) => Target!.OnFrame(connection, body);

        public void OnClosed(Connection connection, Exception? error) => Target?.OnClosed(connection, error);
    }

    [LoggerMessage(2, LogLevel.Warning, "Silo {Old} rejoined the cluster as {New}")]
    private static partial void LogRejoined(ILogger logger, string old, string @new);

    [LoggerMessage(3, LogLevel.Error, "Rejoining the cluster failed; the silo stops")]
    private static partial void LogRejoinFailed(ILogger logger, Exception exception);

    [LoggerMessage(1, LogLevel.Information, "Silo {Silo} is listening for silos; client gateway port {GatewayPort}")]
    private static partial void LogListening(ILogger logger, string silo, int gatewayPort);
}
