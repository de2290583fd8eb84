using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;
using OrleansCompute.Security;

namespace OrleansCompute.Integration.Tests;

/// <summary>
/// The connection half of the failover profile (<see cref="FailoverConnections"/>) over a network where nothing answers
/// (what a lost host looks like): a pending connection attempt ends as soon as the membership says its silo is dead —
/// on a silo, its declaration; on a client, its gateway leaving the gateway list — and only then.
/// </summary>
public sealed class FailoverConnectionsTests
{
    private static readonly SiloAddress s_self = SiloAddress.New(IPEndPoint.Parse("10.0.0.1:11111"), 1);
    private static readonly SiloAddress s_lost = SiloAddress.New(IPEndPoint.Parse("10.0.0.3:11111"), 1);
    private static readonly SiloAddress s_other = SiloAddress.New(IPEndPoint.Parse("10.0.0.2:11111"), 1);

    [Fact]
    public async Task On_a_silo_an_attempt_pending_to_a_silo_declared_dead_ends_then_and_one_to_a_live_silo_stays()
    {
        var (factory, listener, oracle) = Silo();
        var toLost = factory.ConnectAsync(s_lost.Endpoint).AsTask();
        var toOther = factory.ConnectAsync(s_other.Endpoint).AsTask();
        await Task.Delay(50);
        Assert.False(toLost.IsCompleted);

        oracle.Statuses[s_lost] = SiloStatus.Dead;
        listener.SiloStatusChangeNotification(s_lost, SiloStatus.Dead);

        var ended = await Assert.ThrowsAsync<ConnectionAbortedException>(() => toLost.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("declared dead", ended.Message, StringComparison.Ordinal);
        Assert.False(toOther.IsCompleted);

        // A later attempt to the same address (a new incarnation there) is not ended by the old declaration.
        var again = factory.ConnectAsync(s_lost.Endpoint).AsTask();
        await Task.Delay(50);
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task On_a_silo_nothing_ends_while_another_incarnation_at_the_address_is_a_member()
    {
        var (factory, listener, oracle) = Silo();
        var attempt = factory.ConnectAsync(s_lost.Endpoint).AsTask();
        oracle.Statuses[s_lost] = SiloStatus.Dead;
        oracle.Statuses[SiloAddress.New(s_lost.Endpoint, 2)] = SiloStatus.Joining; // restarted before the old one was declared dead
        listener.SiloStatusChangeNotification(s_lost, SiloStatus.Dead);
        listener.SiloStatusChangeNotification(s_other, SiloStatus.ShuttingDown);
        await Task.Delay(100);
        Assert.False(attempt.IsCompleted);
    }

    [Fact]
    public async Task On_a_client_an_attempt_pending_to_a_gateway_that_left_the_list_ends_and_one_to_a_listed_gateway_stays()
    {
        var live = new Uri("gwy.tcp://10.0.0.1:30000/1");
        var gateways = new ChangingGatewayList { Gateways = [live, new Uri("gwy.tcp://10.0.0.3:30000/1")] };
        object? key = null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Services.AddSingleton<IGatewayListProvider>(gateways);
            var transport = client.Services.Single(d => d.ServiceType == typeof(IConnectionFactory) && d.IsKeyedService);
            key = transport.ServiceKey;
            client.Services.Remove(transport);
            client.Services.AddKeyedSingleton<IConnectionFactory>(key, (_, _) => new SilentNetwork());
            client.UseFastGatewayFailover();
        });
        using var host = builder.Build();
        Assert.Equal(TimeSpan.FromMilliseconds(500), host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod);
        var list = host.Services.GetRequiredService<IGatewayListProvider>();
        var factory = host.Services.GetRequiredKeyedService<IConnectionFactory>(key);

        Assert.Equal(2, (await list.GetGateways()).Count);
        var toLost = factory.ConnectAsync(IPEndPoint.Parse("10.0.0.3:30000")).AsTask();
        var toLive = factory.ConnectAsync(IPEndPoint.Parse("10.0.0.1:30000")).AsTask();
        await Task.Delay(50);
        Assert.False(toLost.IsCompleted);

        gateways.Gateways = [live]; // the lost gateway's silo was declared dead: the membership lists it no more
        await list.GetGateways();
        var ended = await Assert.ThrowsAsync<ConnectionAbortedException>(() => toLost.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("left the cluster's gateway list", ended.Message, StringComparison.Ordinal);
        Assert.False(toLive.IsCompleted);

        gateways.Gateways = []; // a failed read (or a cluster all down) ends nothing
        await list.GetGateways();
        await Task.Delay(50);
        Assert.False(toLive.IsCompleted);
    }

    [Fact]
    public void On_a_client_without_a_clustering_provider_it_says_to_call_it_after_one()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var error = Assert.Throws<InvalidOperationException>(() => builder.UseOrleansClient(client => client.UseFastGatewayFailover()));
        Assert.Contains("after the clustering provider", error.Message, StringComparison.Ordinal);
    }

    private static (IConnectionFactory Factory, FailoverConnections.DeadSiloListener Listener, FakeOracle Oracle) Silo()
    {
        var oracle = new FakeOracle();
        oracle.Statuses[s_self] = SiloStatus.Active;
        oracle.Statuses[s_lost] = SiloStatus.Active;
        oracle.Statuses[s_other] = SiloStatus.Active;
        var pending = new FailoverConnections.PendingConnections();
        return (new FailoverConnections.AbortableConnectionFactory(new SilentNetwork(), pending, "the silo there was declared dead"),
            new FailoverConnections.DeadSiloListener(oracle, pending), oracle);
    }

    /// <summary>A network where nothing answers: every attempt stays pending until cancelled.</summary>
    private sealed class SilentNetwork : IConnectionFactory
    {
        public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class ChangingGatewayList : IGatewayListProvider
    {
        public IList<Uri> Gateways { get; set; } = [];

        public TimeSpan MaxStaleness => TimeSpan.FromMinutes(1);

        [Obsolete("Orleans no longer reads it.")]
        public bool IsUpdatable => true;

        public Task InitializeGatewayListProvider() => Task.CompletedTask;

        public Task<IList<Uri>> GetGateways() => Task.FromResult(Gateways);
    }

    private sealed class FakeOracle : ISiloStatusOracle
    {
        public Dictionary<SiloAddress, SiloStatus> Statuses { get; } = [];

        public SiloStatus CurrentStatus => SiloStatus.Active;

        public string SiloName => "self";

        public SiloAddress SiloAddress => s_self;

        public SiloAddress[] GetActiveSilos() => [.. Statuses.Where(s => s.Value == SiloStatus.Active).Select(s => s.Key)];

        public SiloStatus GetApproximateSiloStatus(SiloAddress siloAddress) => Statuses.GetValueOrDefault(siloAddress, SiloStatus.None);

        public Dictionary<SiloAddress, SiloStatus> GetApproximateSiloStatuses(bool onlyActive = false) =>
            Statuses.Where(s => !onlyActive || s.Value == SiloStatus.Active).ToDictionary();

        public bool TryGetSiloName(SiloAddress siloAddress, [NotNullWhen(true)] out string? siloName)
        {
            siloName = null;
            return false;
        }

        public bool IsFunctionalDirectory(SiloAddress siloAddress) => !IsDeadSilo(siloAddress);

        public bool IsDeadSilo(SiloAddress silo) => GetApproximateSiloStatus(silo) == SiloStatus.Dead;

        public bool SubscribeToSiloStatusEvents(ISiloStatusListener observer) => true;

        public bool UnSubscribeFromSiloStatusEvents(ISiloStatusListener observer) => true;
    }
}
