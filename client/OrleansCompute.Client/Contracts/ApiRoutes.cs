namespace OrleansCompute.Client.Contracts;

/// <summary>The API's routes, shared by the server and the client.</summary>
public static class ApiRoutes
{
    public const string Jobs = "/api/jobs";
    public const string Job = "/api/jobs/{id}";
    public const string JobResult = "/api/jobs/{id}/result";
    public const string JobSplits = "/api/jobs/{id}/splits";
    public const string JobCancel = "/api/jobs/{id}/cancel";
    public const string Datasets = "/api/datasets";
    public const string DatasetEvents = "/api/datasets/{dataset}/events";
    public const string DatasetKey = "/api/datasets/{dataset}/keys/{key}";
    public const string DatasetTop = "/api/datasets/{dataset}/top";
    public const string Cluster = "/api/cluster";
    public const string ClusterMetrics = "/api/cluster/metrics";
    public const string HealthLive = "/health/live";
    public const string HealthReady = "/health/ready";
    public const string OpenApi = "/openapi/v1.json";
    public const string Dashboard = "/dashboard";

    /// <summary>The Orleans Dashboard (Microsoft.Orleans.Dashboard): the page and its data endpoints below this path.</summary>
    public const string OrleansDashboard = "/orleans-dashboard";

    /// <summary>Prometheus scrape endpoint (OpenTelemetry's Prometheus exporter).</summary>
    public const string Metrics = "/metrics";

    /// <summary>Header carrying the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";
}
