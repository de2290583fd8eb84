using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansCompute.Client.Contracts;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace OrleansCompute.Api;

/// <summary>The cluster view, health probes.</summary>
internal static class ClusterEndpoints
{
    internal static readonly RouteContract ClusterContract = new() { Summary = "The cluster's silos, their activations, CPU and memory" };
    internal static readonly RouteContract MetricsContract = new() { Summary = "Each active silo's last samples of CPU, memory, GC and grain calls/s (the dashboard's charts)" };
    internal static readonly RouteContract LiveContract = new() { Summary = "Liveness: 200 while the process runs", CallsCluster = false };

    /// <summary>503 is the handler's own answer here (not ready), never the cluster gate's; a grain call that times out is caught.</summary>
    internal static readonly RouteContract ReadyContract = new()
    {
        Summary = "Readiness: 200 once the node reached the cluster and a grain-state round trip answers, else 503 naming what is missing",
        Problems = [503],
        CallsCluster = false,
    };

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet(ApiRoutes.Cluster, Cluster).WithName("GetCluster").WithTags("cluster").Produces<ClusterView>().WithContract(ClusterContract);
        api.MapGet(ApiRoutes.ClusterMetrics, Metrics).WithName("GetClusterMetrics").WithTags("cluster").Produces<ClusterMetricsView>().WithContract(MetricsContract);
        api.MapGet(ApiRoutes.HealthLive, (ApiNode node) => TypedResults.Json(new HealthView { Status = "live", Node = node.Name, Checks = ["process: running"] },
            ApiJsonContext.Default.HealthView)).WithName("Live").WithTags("health").Produces<HealthView>().WithContract(LiveContract);
        api.MapGet(ApiRoutes.HealthReady, Ready).WithName("Ready").WithTags("health").Produces<HealthView>().WithContract(ReadyContract);
    }

    private static async Task<IResult> Ready(ApiNode node, CancellationToken cancellationToken)
    {
        var result = await node.CheckReadyAsync(cancellationToken);
        return result.Ready
            ? TypedResults.Json(new HealthView { Status = "ready", Node = node.Name, Checks = result.Checks }, ApiJsonContext.Default.HealthView)
            : TypedResults.Problem(result.Problem, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
                extensions: new Dictionary<string, object?> { ["checks"] = result.Checks });
    }

    private static async Task<IResult> Cluster(IGrainFactory grains, IOptions<ClusterOptions> cluster)
    {
        // Orleans's management grain: membership (every silo the table lists, dead ones too), activations by grain type
        // and each active silo's runtime statistics (CPU, memory).
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var byType = (await management.GetSimpleGrainStatistics(active))
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.GroupBy(s => ShortTypeName(s.GrainType)).ToDictionary(t => t.Key, t => t.Sum(s => s.ActivationCount), StringComparer.Ordinal));
        var runtime = active.Length == 0 ? [] : await management.GetRuntimeStatistics(active);
        var statistics = active.Zip(runtime).ToDictionary(p => p.First, p => p.Second);
        var view = new ClusterView { ClusterId = cluster.Value.ClusterId };
        foreach (var host in hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal).ThenBy(h => h.StartTime))
        {
            var live = host.Status == SiloStatus.Active;
            var types = live ? byType.GetValueOrDefault(host.SiloAddress) ?? [] : null;
            var stats = live ? statistics.GetValueOrDefault(host.SiloAddress) : null;
            view.Silos.Add(new SiloView
            {
                Address = host.SiloAddress.ToParsableString(),
                Name = host.SiloName,
                Status = StatusName(host.Status),
                Activations = stats?.ActivationCount ?? types?.Values.Sum(),
                ActivationsByType = types ?? [],
                CpuUsage = stats is null ? null : Math.Round(stats.EnvironmentStatistics.FilteredCpuUsagePercentage, 1),
                MemoryUsageBytes = stats?.EnvironmentStatistics.FilteredMemoryUsageBytes,
                StartedAt = host.StartTime == default ? null : new DateTimeOffset(DateTime.SpecifyKind(host.StartTime, DateTimeKind.Utc)),
            });
        }

        view.TotalActivations = view.Silos.Sum(s => s.Activations ?? 0);
        return TypedResults.Json(view, ApiJsonContext.Default.ClusterView);
    }

    private static async Task<IResult> Metrics(IGrainFactory grains)
    {
        // Membership's active silos, then one grain-service call per silo (through a stateless worker, so a standalone API host can ask too).
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var silos = hosts.Keys.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
        var histories = silos.Count == 0 ? [] : await grains.GetGrain<OrleansCompute.Grains.Api.ISiloMetricsGrain>(0).GetHistories(silos);
        var view = new ClusterMetricsView();
        foreach (var history in histories)
        {
            if (history.Error is null)
            {
                view.IntervalSeconds = history.IntervalSeconds;
                view.Capacity = Math.Max(view.Capacity, history.Capacity);
            }

            view.Silos.Add(new SiloMetricsView
            {
                Address = history.Silo,
                Error = history.Error,
                Samples = [.. history.Samples.Select(s => new SiloMetricsSampleView
                {
                    At = s.At,
                    CpuPercent = s.CpuPercent,
                    MemoryBytes = s.MemoryBytes,
                    GcCollections = s.GcCollections,
                    GcPausePercent = s.GcPausePercent,
                    CallsPerSecond = s.CallsPerSecond,
                })],
            });
        }

        return TypedResults.Json(view, ApiJsonContext.Default.ClusterMetricsView);
    }

    /// <summary>The grain class's short name (Orleans reports full type names, e.g. <c>OrleansCompute.Grains.Jobs.JobGrain</c>).</summary>
    private static string ShortTypeName(string grainType)
    {
        var end = grainType.IndexOfAny([',', '`', '[']);
        var name = end < 0 ? grainType : grainType[..end];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.ShuttingDown or SiloStatus.Stopping => "shutting-down",
        SiloStatus.Dead => "dead",
        _ => "joining",
    };
}
