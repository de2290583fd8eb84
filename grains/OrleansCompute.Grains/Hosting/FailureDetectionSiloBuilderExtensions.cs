using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace OrleansCompute.Hosting;

/// <summary>The product's failure-detection profile for Orleans silos.</summary>
public static class FailureDetectionSiloBuilderExtensions
{
    /// <summary>
    /// Tunes Orleans's <see cref="ClusterMembershipOptions"/> so a silo that died (kill -9, a host lost whole) is declared
    /// dead and its grains answer elsewhere in about 1–2 s instead of Orleans's ~11 s (up to 19 s). Orleans 10 adapts each
    /// monitor's probe timeout (and the period between probes) to the response times it saw: mean + ~5 standard
    /// deviations, at least mean + half the initial <see cref="ClusterMembershipOptions.ProbeTimeout"/>, clamped to
    /// [<see cref="ClusterMembershipOptions.MinProbeTimeout"/>, <see cref="ClusterMembershipOptions.MaxProbeTimeout"/>]
    /// and stretched while this silo itself is degraded. The profile: initial timeout 1 s (a silo that just joined, for its
    /// first 4 answers: connections are still being made and it is busy starting), floor 0.5 s (what a live peer on a
    /// quiet network settles at), one missed probe and then an indirect one (through another silo, which probes with
    /// half the doubled timeout) that fails declares death (its 2 votes meet <see cref="ClusterMembershipOptions.NumVotesForDeathDeclaration"/>;
    /// Orleans asks for fewer where fewer silos can vote), the table re-read every 2 s, I-am-alive every 5 s. A dead silo
    /// whose connections were closed (its process ended: the kernel sent FIN/RST) is thus detected ~0.5–0.7 s + one probe
    /// period after its end when it no longer answers at all, sooner when its host refuses connections.
    /// What protects a silo that is alive but silent (a stop-the-world GC pause, a starved machine): Orleans's connection
    /// liveness check (<see cref="ClusterMembershipOptions.EnableConnectionLivenessCheck"/>) holds back every vote while a
    /// connection to it received a message within <c>MaxProbeTimeout × NumMissedProbesLimit</c> = 4 s × 2 = 8 s, so such a
    /// silo is tolerated for ~8 s (<c>PauseTests</c>: frozen 5 s, not declared dead); the same window is why a host cut
    /// off without its connections being closed (power loss, cable) is declared dead only after ~8 s. A silo without an
    /// open connection (rare: they are kept) gets only the probes' ~1 s (~2 s while it joins). <paramref name="overrides"/>
    /// runs after the profile.
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
