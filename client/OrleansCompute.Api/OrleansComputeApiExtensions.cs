using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// Registers and maps the HTTP API. A silo co-hosts it (<c>OrleansCompute:Api:Enabled</c>, default true); the
/// standalone API host runs it over a cluster client. Both resolve <see cref="IGrainFactory"/> from DI.
/// </summary>
public static class OrleansComputeApiExtensions
{
    /// <summary>Name of the rate-limiting policy applied to every <c>/api</c> route.</summary>
    public const string RateLimitPolicy = "orleanscompute-api";

    /// <summary>Adds the API's services: options (<c>OrleansCompute:Api</c>), JSON, problem details, rate limiting, OpenAPI.</summary>
    public static IServiceCollection AddOrleansComputeApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section));
        services.TryAddSingleton(sp => new ApiKeyValidator(sp.GetRequiredService<IOptions<ApiOptions>>().Value.ApiKeys));
        services.TryAddSingleton<ApiNode>();
        services.TryAddSingleton<KindCatalog>();
        services.TryAddSingleton<DatasetCatalogBuffer>();
        services.AddHostedService(sp => sp.GetRequiredService<DatasetCatalogBuffer>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Extensions.TryAdd("traceId", c.HttpContext.TraceIdentifier);
            if (c.ProblemDetails.Status == StatusCodes.Status404NotFound && c.ProblemDetails.Detail is null)
            {
                c.ProblemDetails.Detail = $"No route matches {c.HttpContext.Request.Method} {c.HttpContext.Request.Path}; see {ApiRoutes.OpenApi}.";
            }
            else if (c.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && c.ProblemDetails.Detail is null)
            {
                var type = c.HttpContext.Request.ContentType is { Length: > 0 } ct ? ct : "(none)";
                c.ProblemDetails.Detail = $"Content-Type '{type}' is not accepted by {c.HttpContext.Request.Method} {c.HttpContext.Request.Path}: job specs take " +
                    $"{RequestBodies.Json}; events take {RequestBodies.Json} (an array) or {RequestBodies.NdJson} (one event per line).";
            }
            else if (c.ProblemDetails.Status == StatusCodes.Status405MethodNotAllowed && c.ProblemDetails.Detail is null)
            {
                c.ProblemDetails.Detail = $"{c.HttpContext.Request.Method} is not allowed on {c.HttpContext.Request.Path}; see {ApiRoutes.OpenApi}.";
            }
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()?.MaxRequestBodyBytes
            ?? new ApiOptions().MaxRequestBodyBytes);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "This client exceeded its request rate (OrleansCompute:Api:RateLimitPerSecond / RateLimitBurst); retry after the Retry-After delay.",
                    },
                });
            };
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                if (options.RateLimitPerSecond == 0)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                // One bucket per client: its API key (already validated) or, without keys, its remote address.
                var client = context.Request.Headers[ApiRoutes.ApiKeyHeader].ToString() is { Length: > 0 } key
                    ? "key:" + key
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, options.RateLimitBurst),
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = options.RateLimitQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                });
            });
        });
        services.AddOpenApi("v1");
        return services;
    }

    /// <summary>
    /// Maps every API route (see <see cref="ApiRoutes"/>) and the OpenAPI document. When <paramref name="endpoints"/>
    /// is also the application (a <c>WebApplication</c>), first adds the API's middleware: exception → problem
    /// details, status-code pages as problem details (unknown routes, 405), API-key check and rate limiting.
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansComputeApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints is IApplicationBuilder app)
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.UseMiddleware<ClusterConnectionGate>();
            app.UseMiddleware<ApiKeyMiddleware>();
            app.UseRateLimiter();
        }

        var api = endpoints.MapGroup("").RequireRateLimiting(RateLimitPolicy);
        JobEndpoints.Map(api);
        DatasetEndpoints.Map(api);
        ClusterEndpoints.Map(api);
        endpoints.MapOpenApi(ApiRoutes.OpenApi.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return endpoints;
    }
}
