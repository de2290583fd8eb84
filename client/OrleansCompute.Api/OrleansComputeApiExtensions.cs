using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
using OrleansCompute.Api.Security;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api;

/// <summary>
/// Registers and maps the HTTP API. A silo co-hosts it (<c>OrleansCompute:Api:Enabled</c>, default true); the
/// standalone API host runs it over a cluster client. Both resolve <see cref="IGrainFactory"/> from DI.
/// </summary>
public static class OrleansComputeApiExtensions
{
    /// <summary>Longest problem detail; longer ones are cut (client input in them is already cut to <see cref="Problems.MaxQuoted"/>).</summary>
    public const int MaxDetailLength = 2048;

    /// <summary>Longest request path a problem's <c>instance</c> repeats.</summary>
    public const int MaxInstanceLength = 1024;

    /// <summary>Name of the rate-limiting policy applied to every <c>/api</c> route.</summary>
    public const string RateLimitPolicy = "orleanscompute-api";

    /// <summary>
    /// Adds the API's services: options (<c>OrleansCompute:Api</c>), JSON, problem details (secrets redacted), the listen-address
    /// check (<see cref="ListenAddressGuard"/>), API keys with a limit on wrong ones, rate limiting, OpenAPI.
    /// </summary>
    public static IServiceCollection AddOrleansComputeApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section));
        services.TryAddSingleton(sp => new ApiKeyValidator(sp.GetRequiredService<IOptions<ApiOptions>>().Value.ApiKeys));
        services.AddSecretRedactor(configuration);

        // The key rule on the addresses the server really binds, checked once it listens; until then no request is answered
        // (the gate is the outermost middleware: inserted before every other startup filter).
        if (!services.Any(d => d.ServiceType == typeof(ListenAddressGuard)))
        {
            services.AddSingleton<ListenAddressGuard>();
            services.AddHostedService(sp => sp.GetRequiredService<ListenAddressGuard>());
            services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, ListenAddressGate>());
        }

        services.TryAddSingleton<ApiNode>();
        services.TryAddSingleton<KindCatalog>();
        services.TryAddSingleton<DatasetCatalogBuffer>();
        services.AddHostedService(sp => sp.GetRequiredService<DatasetCatalogBuffer>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // A detail may quote what a client sent (an input path that is a SAS URL) or a server-side message: no secret leaves.
            c.ProblemDetails.Detail = c.HttpContext.RequestServices.GetRequiredService<SecretRedactor>().Redact(c.ProblemDetails.Detail);
            var path = c.HttpContext.Request.Path.Value ?? "";
            c.ProblemDetails.Instance ??= path.Length <= MaxInstanceLength ? path : null; // a long path is not echoed back (414)
            c.ProblemDetails.Extensions.TryAdd("traceId", c.HttpContext.TraceIdentifier);
            if (c.ProblemDetails.Status == StatusCodes.Status404NotFound && c.ProblemDetails.Detail is null)
            {
                c.ProblemDetails.Detail = $"No route matches {c.HttpContext.Request.Method} {Problems.Quote(path)}; see {ApiRoutes.OpenApi}.";
            }
            else if (c.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && c.ProblemDetails.Detail is null)
            {
                var type = c.HttpContext.Request.ContentType is { Length: > 0 } ct ? ct : "(none)";
                c.ProblemDetails.Detail = $"Content-Type {Problems.Quote(type)} is not accepted by {c.HttpContext.Request.Method} {Problems.Quote(path)}: job specs take " +
                    $"{RequestBodies.Json}; events take {RequestBodies.Json} (an array) or {RequestBodies.NdJson} (one event per line).";
            }
            else if (c.ProblemDetails.Status == StatusCodes.Status405MethodNotAllowed && c.ProblemDetails.Detail is null)
            {
                c.ProblemDetails.Detail = $"{c.HttpContext.Request.Method} is not allowed on {Problems.Quote(path)}; see {ApiRoutes.OpenApi}.";
            }

            // Every echo of client input is cut where it is written (Problems.Quote); this bounds what is left, such as a
            // serializer's message naming a long property.
            if (c.ProblemDetails.Detail is { Length: > MaxDetailLength } longDetail)
            {
                c.ProblemDetails.Detail = string.Concat(longDetail.AsSpan(0, MaxDetailLength - 64), $"… ({longDetail.Length} characters)");
            }

            if (c.ProblemDetails.Extensions.TryGetValue("field", out var field) && field is string { Length: > Problems.MaxQuoted } text)
            {
                c.ProblemDetails.Extensions["field"] = Problems.Cut(text);
            }
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestBodySize = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()?.MaxRequestBodyBytes ?? new ApiOptions().MaxRequestBodyBytes;
            RequestLimits.ConfigureKestrel(o.Limits); // raised, and enforced by RequestLimits so that 414/431 carry a problem
        });
        services.TryAddSingleton<AuthFailureLimiter>();
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
                        Type = ApiKeyMiddleware.TooManyRequestsType,
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "This client exceeded its request rate (OrleansCompute:Api:RateLimitPerSecond / RateLimitBurst; counted per API key, or per " +
                            "address without a valid key); retry after the Retry-After delay.",
                    },
                });
            };

            // One bucket per client: its validated API key, or its remote address (never the raw X-Api-Key header).
            o.AddPolicy<ClientPartition, ApiRateLimitPolicy>(RateLimitPolicy);
        });
        services.AddOpenApi("v1", ApiOpenApi.Configure);
        return services;
    }

    /// <summary>
    /// Maps every API route (see <see cref="ApiRoutes"/>) and the OpenAPI document. When <paramref name="endpoints"/>
    /// is also the application (a <c>WebApplication</c>), first adds the API's middleware: exception → problem
    /// details, status-code pages as problem details (unknown routes, 405), API-key check, rate limiting, and the
    /// standalone host's cluster gate (503 while no gateway is reachable).
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansComputeApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints is IApplicationBuilder app)
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.UseMiddleware<RequestLimits>(); // 414 / 431 as problems (Kestrel's limits are raised above these)

            // HEAD is routed as GET, then is HEAD again for everything after routing (HeadRequests). Routing runs here rather
            // than first (WebApplication's default), so the HEAD rewrite can precede it.
            app.Use(HeadRequests.Route);
            app.UseRouting();
            app.Use(HeadRequests.Restore);

            // Keys first: a client without a valid key learns nothing else (not even whether the cluster is reachable) and
            // is limited per address; then the rate limit per key or address; then the cluster gate of a standalone host.
            app.UseMiddleware<BasicApiKeyMiddleware>(); // the key as a Basic password on /orleans-dashboard and /metrics
            app.UseMiddleware<ApiKeyMiddleware>();
            app.UseRateLimiter();
            app.UseMiddleware<ClusterConnectionGate>();
        }

        var api = endpoints.MapGroup("").RequireRateLimiting(RateLimitPolicy);
        JobEndpoints.Map(api);
        DatasetEndpoints.Map(api);
        ClusterEndpoints.Map(api);
        endpoints.MapOpenApi(ApiRoutes.OpenApi.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return endpoints;
    }
}
