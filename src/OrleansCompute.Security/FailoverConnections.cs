using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;

namespace OrleansCompute.Security;

/// <summary>
/// The connection half of the product's failover profile (the detection half is <c>UseFastFailureDetection</c>): once
/// the membership declares a silo dead, the connection attempts that wait for it end, on silos
/// (<see cref="AbortConnectionsToDeadSilos"/>) and on clients (<see cref="UseFastGatewayFailover"/>).
/// </summary>
/// <remarks>
/// Why: when a host is lost whole its processes die (their connections close) and then nothing answers at its address —
/// no reset, no refusal: the link is gone. Orleans opens a new connection for the next message to that silo or gateway,
/// and every message for it waits on that attempt, which the network leaves pending until
/// <c>ConnectionOptions.OpenConnectionTimeout</c> (5 s) or the kernel gives up (~3 s measured). Orleans 10 rejects a
/// message to a silo known to be dead only when it is sent, not one already waiting (<c>MessageCenter.SendMessage</c>,
/// <c>ConnectionManager.ConnectAsync</c>), and its client learns that a gateway is gone only when it re-reads its gateway
/// list (<see cref="GatewayOptions.GatewayListRefreshPeriod"/>, once a minute by default) or an attempt fails. So calls
/// to the lost silo's grains — and on a client, calls routed through the lost gateway, a third of them with 3 hosts —
/// hung for seconds after the silo was declared dead. Nothing here decides who is dead or touches an open connection:
/// only a declaration ends attempts, and only those to the dead silo's address.
/// </remarks>
public static class FailoverConnections
{
    /// <summary>How often a client with <see cref="UseFastGatewayFailover"/> re-reads its gateway list.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Silo: when the membership declares a silo dead, this silo's pending connection attempts to it end at once, so the
    /// messages waiting for them are rejected then (their callers retry; the grains re-activate elsewhere) rather than when
    /// the attempt times out. Not while another incarnation is a member at the same address (a supervisor restarted it).
    /// </summary>
    public static ISiloBuilder AbortConnectionsToDeadSilos(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(DeadSiloListener)))
        {
            return builder;
        }

        builder.Services.AddSingleton<PendingConnections>();
        builder.Services.AddSingleton<DeadSiloListener>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DeadSiloListener>());
        WrapConnectionFactories(builder.Services, "the silo there was declared dead");
        return builder;
    }

    /// <summary>
    /// Client: the gateway list is re-read every 0.5 s (one membership-table read each time), and when a gateway leaves it
    /// (its silo was declared dead) the client's pending attempts to connect to it end at once — Orleans then re-sends
    /// their calls through another gateway and marks the dead one. Call it after the clustering provider
    /// (<c>UseRedisClustering</c>, <c>UseStaticClustering</c>, …): it wraps the gateway list that provider registered.
    /// </summary>
    public static IClientBuilder UseFastGatewayFailover(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        if (services.Any(d => d.ServiceType == typeof(PendingConnections)))
        {
            return builder;
        }

        var index = services.ToList().FindLastIndex(d => d.ServiceType == typeof(IGatewayListProvider) && !d.IsKeyedService);
        if (index < 0)
        {
            throw new InvalidOperationException("UseFastGatewayFailover found no gateway list: call it after the clustering provider (UseRedisClustering, UseStaticClustering, …).");
        }

        var list = services[index];
        services[index] = new ServiceDescriptor(typeof(IGatewayListProvider),
            sp => new WatchedGatewayList((IGatewayListProvider)Create(list, sp, null), sp.GetRequiredService<PendingConnections>()), list.Lifetime);
        services.AddSingleton<PendingConnections>();
        WrapConnectionFactories(services, "the gateway there left the cluster's gateway list");
        return builder;
    }

    /// <summary>
    /// Replaces every keyed <see cref="IConnectionFactory"/> registration (Orleans's transport: silo to silo on a silo,
    /// client to gateway on a client) with one whose pending attempts <see cref="PendingConnections"/> can end.
    /// </summary>
    private static void WrapConnectionFactories(IServiceCollection services, string reason)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var inner = services[i];
            if (inner.ServiceType == typeof(IConnectionFactory) && inner.IsKeyedService)
            {
                services[i] = new ServiceDescriptor(typeof(IConnectionFactory), inner.ServiceKey,
                    (sp, key) => new AbortableConnectionFactory((IConnectionFactory)Create(inner, sp, key), sp.GetRequiredService<PendingConnections>(), reason),
                    inner.Lifetime);
            }
        }
    }

    private static object Create(ServiceDescriptor descriptor, IServiceProvider services, object? key)
    {
        if (descriptor.IsKeyedService)
        {
            return descriptor.KeyedImplementationFactory is { } keyedFactory ? keyedFactory(services, key)
                : descriptor.KeyedImplementationInstance ?? ActivatorUtilities.CreateInstance(services, descriptor.KeyedImplementationType!);
        }

        return descriptor.ImplementationFactory is { } factory ? factory(services)
            : descriptor.ImplementationInstance ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
    }

    /// <summary>Pending connection attempts by address; <see cref="End"/> ends those to an address.</summary>
    internal sealed class PendingConnections
    {
        // One source per address, replaced once cancelled (a later incarnation at the address gets a fresh one). Not
        // disposed: a source without a timer holds nothing that needs it, and an attempt may still be reading its token.
        private readonly ConcurrentDictionary<EndPoint, CancellationTokenSource> _aborts = new();

        public CancellationToken TokenFor(EndPoint endpoint) => _aborts.GetOrAdd(endpoint, static _ => new CancellationTokenSource()).Token;

        public IEnumerable<EndPoint> Addresses => _aborts.Keys;

        public void End(EndPoint endpoint)
        {
            if (_aborts.TryRemove(endpoint, out var abort))
            {
                abort.Cancel();
            }
        }
    }

    /// <summary>Orleans's transport, with attempts that end when <see cref="PendingConnections.End"/> is called for their address.</summary>
    internal sealed class AbortableConnectionFactory(IConnectionFactory inner, PendingConnections pending, string reason) : IConnectionFactory
    {
        public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
        {
            var abort = pending.TokenFor(endpoint);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, abort);
            try
            {
                return await inner.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionAbortedException($"Connecting to {endpoint} ended: {reason}.");
            }
        }
    }

    /// <summary>Silo side: ends the attempts to a silo's address when the membership declares it dead.</summary>
    internal sealed class DeadSiloListener(ISiloStatusOracle oracle, PendingConnections pending) : ISiloStatusListener, ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(DeadSiloListener), ServiceLifecycleStage.RuntimeInitialize,
                _ =>
                {
                    oracle.SubscribeToSiloStatusEvents(this);
                    return Task.CompletedTask;
                },
                _ =>
                {
                    oracle.UnSubscribeFromSiloStatusEvents(this);
                    return Task.CompletedTask;
                });

        public void SiloStatusChangeNotification(SiloAddress updatedSilo, SiloStatus status)
        {
            if (status != SiloStatus.Dead || updatedSilo.Equals(oracle.SiloAddress))
            {
                return;
            }

            // A new incarnation may already be a member at the same address: attempts to the address are then for it.
            foreach (var (member, memberStatus) in oracle.GetApproximateSiloStatuses(onlyActive: false))
            {
                if (memberStatus != SiloStatus.Dead && member.Endpoint.Equals(updatedSilo.Endpoint))
                {
                    return;
                }
            }

            pending.End(updatedSilo.Endpoint);
        }
    }

    /// <summary>Client side: ends the attempts to a gateway that is no longer in the list the membership gives.</summary>
    internal sealed class WatchedGatewayList(IGatewayListProvider inner, PendingConnections pending) : IGatewayListProvider
    {
        public TimeSpan MaxStaleness => inner.MaxStaleness;

        [Obsolete("Orleans no longer reads it: every provider is updatable.")]
        public bool IsUpdatable => true;

        public Task InitializeGatewayListProvider() => inner.InitializeGatewayListProvider();

        public async Task<IList<Uri>> GetGateways()
        {
            var gateways = await inner.GetGateways().ConfigureAwait(false);
            var listed = new HashSet<EndPoint>();
            foreach (var gateway in gateways)
            {
                if (gateway.ToIPEndPoint() is { } endpoint) // Orleans's own reading of a gateway URI
                {
                    listed.Add(endpoint);
                }
            }

            // An empty list is a failed read or a cluster that is all down: no gateway has left it.
            if (listed.Count > 0)
            {
                foreach (var endpoint in pending.Addresses.Where(a => !listed.Contains(a)).ToList())
                {
                    pending.End(endpoint);
                }
            }

            return gateways;
        }
    }
}
