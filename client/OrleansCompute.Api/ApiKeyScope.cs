using Microsoft.AspNetCore.Http;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// Which paths the API-key rule covers when keys are configured: the API (<c>/api/…</c>) and the operator endpoints —
/// the Orleans Dashboard (<c>/orleans-dashboard</c>: its page, files and data endpoints) and the Prometheus scrape
/// endpoint (<c>/metrics</c>). Health probes, the OpenAPI document and our dashboard's static files stay open.
/// </summary>
internal static class ApiKeyScope
{
    public static bool Requires(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || IsOperatorPath(path);

    /// <summary>Operator endpoints: read-only, opened by browsers and scrapers, which cannot send <c>X-Api-Key</c>
    /// (so the key may come as an HTTP Basic password there: <see cref="BasicApiKeyMiddleware"/>).</summary>
    public static bool IsOperatorPath(PathString path) =>
        path.StartsWithSegments(ApiRoutes.OrleansDashboard, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ApiRoutes.Metrics, StringComparison.OrdinalIgnoreCase);
}
