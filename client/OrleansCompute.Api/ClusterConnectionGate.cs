using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace OrleansCompute.Api;

/// <summary>
/// In a standalone API host that has no gateway (not reached yet, or every gateway lost), answers <c>/api/…</c> with a
/// 503 problem at once (with <c>Retry-After</c>) rather than calling grains through a client that cannot deliver. A
/// no-op when no <see cref="IClusterConnectionState"/> is registered (a co-hosted silo).
/// </summary>
internal sealed class ClusterConnectionGate(RequestDelegate next, IServiceProvider services)
{
    private readonly IClusterConnectionState? _state = services.GetService(typeof(IClusterConnectionState)) as IClusterConnectionState;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (_state is { IsConnected: false } state && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Cluster unavailable",
                    Detail = $"The API host is not connected to the cluster ({state.Status}); retry later (/health/ready says when it is back).",
                },
            });
            return;
        }

        await next(context);
    }
}
