using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansCompute.Cluster.Tests.Grains;
using OrleansCompute.Cluster.Tests.Support;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// What the product relies on when a silo dies, on the profile its tests use (Redis clustering and grain storage
/// shared by the silos, TCP): state survives, in-flight calls fail fast, a graceful stop persists, the client fails over.
/// </summary>
/// <remarks>
/// TestCluster's <c>KillSiloAsync</c> stops the silo host with a cancelled token: no grain code runs, connections reset,
/// but Orleans's membership agent still writes the silo's own row Dead on the way out. So these tests do not wait on
/// failure detection at all; detection after a real kill -9 (probes and votes, the tuned profile) is measured on silo
/// processes (bench macro, chaos suite). The silos still carry the tuned profile (<c>UseFastFailureDetection</c>).
/// </remarks>
[Collection(RedisServerFixture.CollectionName)]
public sealed class FailoverTests(RedisServerFixture redis, ITestOutputHelper output)
{
    /// <summary>Orleans's liveness scenario: grains with timers and state, kill a silo, the same keys and new keys answer.</summary>
    [Fact]
    public async Task After_a_silo_is_killed_its_grains_come_back_elsewhere_with_state_intact()
    {
        await using var cluster = await TestClusters.DeployAsync(3, redis);
        var keys = Enumerable.Range(0, 20).Select(i => $"live-{i}").ToArray();
        foreach (var key in keys)
        {
            var grain = cluster.Client.GetGrain<IClusterTestGrain>(key);
            await grain.StartTimer();
            await grain.Increment();
            await grain.Increment();
        }

        var locations = await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IClusterTestGrain>(k).WhereAmI()));
        var victim = cluster.Silos.First(s => locations.Contains(s.SiloAddress.ToString()));
        await cluster.KillSiloAsync(victim);
        await cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        foreach (var key in keys)
        {
            var grain = cluster.Client.GetGrain<IClusterTestGrain>(key);
            Assert.Equal(2, await CallWithRetry(grain.Get));
            Assert.NotEqual(victim.SiloAddress.ToString(), await grain.WhereAmI());
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(1, await CallWithRetry(cluster.Client.GetGrain<IClusterTestGrain>($"new-{i}").Increment));
        }
    }

    [Fact]
    public async Task An_in_flight_call_to_a_killed_silo_fails_with_SiloUnavailableException_within_5_seconds()
    {
        await using var cluster = await TestClusters.DeployAsync(3, redis);
        var victim = cluster.Silos[1];
        var key = await FindKeyOn(cluster, victim);
        var caller = cluster.Silos.First(s => s != victim);
        var inFlight = cluster.GetSiloServiceProvider(caller.SiloAddress).GetRequiredService<IGrainFactory>().GetGrain<IClusterTestGrain>(key).Slow(60_000);
        await Task.Delay(200);
        var killed = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => inFlight);
        output.WriteLine($"in-flight call failed {killed.ElapsedMilliseconds} ms after the kill");
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(5), $"took {killed.Elapsed}");
    }

    [Fact]
    public async Task A_graceful_stop_runs_OnDeactivateAsync_and_persists_before_leaving()
    {
        await using var cluster = await TestClusters.DeployAsync(2, redis);
        var victim = cluster.Silos[1];
        var key = await FindKeyOn(cluster, victim);
        var grain = cluster.Client.GetGrain<IClusterTestGrain>(key);
        await grain.Increment();
        await cluster.StopSiloAsync(victim);
        await cluster.WaitForLivenessToStabilizeAsync();
        var state = new GrainState<CounterState>(new CounterState());
        await cluster.Storage().ReadStateAsync("counter", grain.GetGrainId(), state);
        Assert.Equal(1, state.State?.DeactivationsSaved);
        Assert.Equal(1, await CallWithRetry(grain.Get));
    }

    [Fact]
    public async Task The_client_fails_over_to_another_gateway_when_its_silo_dies()
    {
        await using var cluster = await TestClusters.DeployAsync(3, redis);
        var grain = cluster.Client.GetGrain<IClusterTestGrain>("failover");
        await grain.Increment();
        await cluster.KillSiloAsync(cluster.Silos[2]);
        await cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        for (var i = 0; i < 30; i++)
        {
            await CallWithRetry(grain.Increment);
        }

        // A retried increment may have been applied once before its answer was lost.
        Assert.InRange(await grain.Get(), 31, 32);
    }

    private static async Task<string> FindKeyOn(TestCluster cluster, SiloHandle silo)
    {
        for (var i = 0; i < 500; i++)
        {
            var key = $"on-{silo.Name}-{i}";
            if (await cluster.Client.GetGrain<IClusterTestGrain>(key).WhereAmI() == silo.SiloAddress.ToString())
            {
                return key;
            }
        }

        throw new InvalidOperationException("no grain landed on " + silo);
    }

    /// <summary>What a caller does after a failover: calls that were in flight to the dead silo may fail once.</summary>
    private static async Task<T> CallWithRetry<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (TestClusters.IsFailover(ex) && attempt < 10)
            {
                await Task.Delay(200);
            }
        }
    }
}
