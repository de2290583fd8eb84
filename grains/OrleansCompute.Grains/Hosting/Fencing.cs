using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace OrleansCompute.Hosting;

/// <summary>
/// What <see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/> decided about the isolation fence and the
/// claim on activation, and whether this silo is clustered: its membership table lives outside the silo (Redis, Azure,
/// ADO.NET…). Orleans's development table (localhost clustering, <c>TestClusterBuilder</c>) and the in-process test
/// table are not: one process holds them, so there is nothing to be cut off from and no other owner to fence.
/// </summary>
internal sealed class FencingSettings(TimeSpan isolationFenceTimeout, bool? claimStateOnActivation)
{
    private static readonly string[] s_inProcessTableAssemblies = ["Orleans.Runtime", "Orleans.TestingHost"];
    private int _clustered = -1;

    public TimeSpan IsolationFenceTimeout { get; } = isolationFenceTimeout;

    public bool IsClustered(IServiceProvider services)
    {
        var known = Volatile.Read(ref _clustered);
        if (known < 0)
        {
            var table = services.GetService<IMembershipTable>();
            var assembly = table?.GetType().Assembly.GetName().Name;
            known = table is not null && !s_inProcessTableAssemblies.Contains(assembly, StringComparer.Ordinal) ? 1 : 0;
            Volatile.Write(ref _clustered, known);
        }

        return known == 1;
    }

    public bool ShouldClaim(IServiceProvider services) => claimStateOnActivation ?? IsClustered(services);
}
