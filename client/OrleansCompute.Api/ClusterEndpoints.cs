using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using OrleansCompute.Client.Contracts;
using OrleansCompute.Grains.Api;
using OrleansCompute.Membership;

namespace OrleansCompute.Api;

/// <summary>The cluster view, health probes.</summary>
internal static class ClusterEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet(ApiRoutes.Cluster, Cluster).WithName("GetCluster").WithTags("cluster").Produces<ClusterView>();
        api.MapGet(ApiRoutes.HealthLive, (ApiNode node) => TypedResults.Json(new HealthView { Status = "live", Node = node.Name, Checks = ["process: running"] },
            ApiJsonContext.Default.HealthView)).WithName("Live").WithTags("health").Produces<HealthView>();
        api.MapGet(ApiRoutes.HealthReady, Ready).WithName("Ready").WithTags("health").Produces<HealthView>().ProducesProblem(503);
    }

    private static async Task<IResult> Ready(ApiNode node, CancellationToken cancellationToken)
    {
        var result = await node.CheckReadyAsync(cancellationToken);
        return result.Ready
            ? TypedResults.Json(new HealthView { Status = "ready", Node = node.Name, Checks = result.Checks }, ApiJsonContext.Default.HealthView)
            : TypedResults.Problem(result.Problem, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
                extensions: new Dictionary<string, object?> { ["checks"] = result.Checks });
    }

    private static async Task<IResult> Cluster(ApiNode node, IGrainFactory grains, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var reports = (await grains.GetGrain<IClusterStatisticsGrain>(0).GetAll()).ToDictionary(r => r.Silo, StringComparer.Ordinal);
        var view = new ClusterView { ClusterId = configuration["OrleansCompute:Silo:ClusterId"] ?? configuration["OrleansCompute:Client:ClusterId"] ?? "dev" };
        if (node.Membership is { } table)
        {
            var data = await table.ReadAll(cancellationToken);
            foreach (var entry in data.Members.OrderBy(m => m.Entry.SiloName, StringComparer.Ordinal).ThenBy(m => m.Entry.StartTime))
            {
                var address = entry.Entry.SiloAddress.ToParsableString();
                reports.Remove(address, out var report);
                var live = entry.Entry.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping;
                view.Silos.Add(ToView(address, entry.Entry.SiloName, StatusName(entry.Entry.Status), live ? report : null, entry.Entry.StartTime));
            }
        }
        else
        {
            foreach (var report in reports.Values)
            {
                view.Silos.Add(ToView(report.Silo, report.Name, "active", report, report.StartedAt));
            }
        }

        view.TotalActivations = view.Silos.Sum(s => s.Activations ?? 0);
        return TypedResults.Json(view, ApiJsonContext.Default.ClusterView);
    }

    private static SiloView ToView(string address, string name, string status, SiloStatisticsReport? report, DateTimeOffset startedAt) => new()
    {
        Address = address,
        Name = name,
        Status = status,
        Activations = report?.ActivationsByType.Values.Sum(),
        ActivationsByType = report?.ActivationsByType ?? [],
        CallsPerSecond = report?.CallsPerSecond,
        StartedAt = startedAt == default ? null : startedAt,
    };

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.ShuttingDown or SiloStatus.Stopping => "shutting-down",
        SiloStatus.Dead => "dead",
        _ => "joining",
    };
}
