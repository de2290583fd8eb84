using Microsoft.AspNetCore.Http;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// When keys are configured, every <c>/api/…</c> request must carry a valid <c>X-Api-Key</c> header (401
/// problem otherwise). Health probes, the OpenAPI document and the dashboard's static files stay open.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyValidator validator)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!validator.Required || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var presented = context.Request.Headers[ApiRoutes.ApiKeyHeader];
        if (presented.Count == 1 && validator.IsValid(presented[0]))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + ApiRoutes.ApiKeyHeader + "\"";
        throw new ApiProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
            presented.Count == 0
                ? $"This API needs a key: send it in the {ApiRoutes.ApiKeyHeader} header."
                : $"The {ApiRoutes.ApiKeyHeader} header does not hold a valid key.",
            ApiRoutes.ApiKeyHeader);
    }
}
