using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace OrleansCompute.Hosting;

/// <summary>The product's failure-detection profile for Orleans silos.</summary>
public static class FailureDetectionSiloBuilderExtensions
{
    /// <summary>
    /// Tunes Orleans's <see cref="ClusterMembershipOptions"/> so a silo that died (kill -9, a host lost whole) is declared
    /// dead and its grains answer elsewhere in ~1.5 s after a kill -9, ~1.8 s after a whole host is lost (medians on a
    /// loaded 2-core machine, the latter with the connection half below), instead of Orleans's ~11 s (up to 19 s). Orleans 10 adapts each
    /// probe timeout (and the period between probes) to the answers seen: mean + ~5 standard deviations, never below
    /// mean + half of <see cref="ClusterMembershipOptions.ProbeTimeout"/>, within
    /// [<see cref="ClusterMembershipOptions.MinProbeTimeout"/>, <see cref="ClusterMembershipOptions.MaxProbeTimeout"/>],
    /// stretched while the prober itself is degraded. Here: 1 s for a peer's first 4 probes (a joining silo is busy
    /// starting and has no connections yet: a 0.5 s start got one declared dead under load), then ~0.5 s. One missed
    /// probe, then a failed indirect probe (through another silo) carries two votes, which
    /// <see cref="ClusterMembershipOptions.NumVotesForDeathDeclaration"/> asks for (Orleans asks fewer where fewer silos
    /// can vote); the table is re-read every 2 s, I-am-alive written every 5 s. One missed probe per vote
    /// (<c>NumMissedProbesLimit = 1</c>, no indirect probes) declared a lost host dead sooner (median 1.17 s against
    /// 1.55 s) without its grains answering sooner, and lets a single 1 s silence evict a silo that has no connection yet
    /// (a joining one) instead of two: measured and left out (chaos README, "Three hosts").
    /// A silo that is alive but silent (a stop-the-world GC pause, a starved machine) is protected by Orleans's connection
    /// liveness check, not by the timeouts: no vote counts while a connection to it received a message within
    /// <c>MaxProbeTimeout × NumMissedProbesLimit</c> = 8 s, so pauses up to ~8 s are tolerated (chaos suite:
    /// <c>PauseTests</c>). The same window makes a host cut off with its connections left open (power loss, partition)
    /// take ~8 s to be declared dead. <paramref name="overrides"/> runs after the profile.
    /// This is the detection half; the connection half (<c>AbortConnectionsToDeadSilos</c> on silos,
    /// <c>UseFastGatewayFailover</c> on clients, in <c>OrleansCompute.Security</c>; the silo executable and the API host
    /// use both) ends the connection attempts to a silo once it is declared dead, which a lost host otherwise leaves
    /// pending for seconds with calls waiting on them.
    /// </summary>
    public static ISiloBuilder UseFastFailureDetection(this ISiloBuilder builder, Action<ClusterMembershipOptions>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.MinProbeTimeout = TimeSpan.FromMilliseconds(500);
            o.MaxProbeTimeout = TimeSpan.FromSeconds(4);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 2;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            overrides?.Invoke(o);
        });
        return builder;
    }
}
