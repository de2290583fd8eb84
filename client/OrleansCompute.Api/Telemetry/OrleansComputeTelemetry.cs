using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;
using Orleans.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Api.Telemetry;

/// <summary>
/// Everything that lets operators see the cluster, in one place for the silo (co-hosting the API or not), the standalone
/// API host and the benchmarks: the Orleans Dashboard (<c>AddDashboard</c> + <c>MapOrleansDashboard</c>), Orleans's
/// activity propagation across grain calls, and OpenTelemetry's export of metrics (Prometheus scrape endpoint, OTLP)
/// and traces (OTLP). Settings: <see cref="TelemetryOptions"/> (<c>OrleansCompute:Telemetry</c>).
/// </summary>
public static class OrleansComputeTelemetry
{
    /// <summary>Our meter and activity source (the API's and the grains').</summary>
    public const string OrleansComputeSource = "OrleansCompute";

    /// <summary>Orleans's meter: grain calls, activations, messaging, storage, membership.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans's spans of calls to application grains.</summary>
    public const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    /// <summary>Orleans's spans of calls to its own system grains — and to ours: Orleans classes a grain interface as its
    /// own when its namespace starts with "Orleans" (<see cref="RootSampler"/> keeps the runtime's untraced traffic out).</summary>
    public const string OrleansRuntimeSource = "Microsoft.Orleans.Runtime";

    /// <summary>Orleans's spans of grain storage operations.</summary>
    public const string OrleansStorageSource = "Microsoft.Orleans.Storage";

    /// <summary>
    /// The silo's part: the Orleans Dashboard's collection (every silo of the cluster must have it for any dashboard to
    /// show the cluster) and, when traces are recorded, Orleans's activity propagation through grain calls.
    /// </summary>
    public static ISiloBuilder AddOrleansComputeTelemetry(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = TelemetryOptions.Read(configuration);
        if (options.OrleansDashboard)
        {
            silo.AddDashboard();
        }

        if (options.EffectiveTracing)
        {
            silo.AddActivityPropagation();
        }

        return silo;
    }

    /// <summary>
    /// A cluster client's part (the standalone API host): the Orleans Dashboard's client side (the silos collect; it
    /// asks them) and, when traces are recorded, activity propagation into the grain calls it makes.
    /// </summary>
    public static IClientBuilder AddOrleansComputeTelemetry(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = TelemetryOptions.Read(configuration);
        if (options.OrleansDashboard)
        {
            client.AddDashboard();
        }

        if (options.EffectiveTracing)
        {
            client.AddActivityPropagation();
        }

        return client;
    }

    /// <summary>
    /// The host's OpenTelemetry SDK: metrics of our meter, Orleans's, ASP.NET Core's and the runtime's, to the
    /// Prometheus scrape endpoint (<paramref name="http"/>: the host serves HTTP) and to OTLP when an endpoint is
    /// configured; traces (our spans, Orleans's grain calls and storage, incoming HTTP requests) to OTLP when traces are
    /// recorded. <paramref name="tracing"/> and <paramref name="metrics"/> add to the providers (tests add in-memory exporters).
    /// </summary>
    public static IServiceCollection AddOrleansComputeTelemetry(this IServiceCollection services, IConfiguration configuration, bool http = true,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = TelemetryOptions.Read(configuration);
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(options.ServiceName));
        otel.WithMetrics(m =>
        {
            m.AddMeter(OrleansComputeSource, OrleansMeter);
            m.AddAspNetCoreInstrumentation(); // Microsoft.AspNetCore.Hosting, .Server.Kestrel, .Routing, .Diagnostics, .RateLimiting
            m.AddRuntimeInstrumentation();    // System.Runtime: GC, heap, thread pool, CPU time, exceptions
            if (http && options.Prometheus)
            {
                m.AddPrometheusExporter();
            }

            if (options.EffectiveOtlpEndpoint is { } endpoint)
            {
                m.AddOtlpExporter((exporter, _) => Otlp(exporter, endpoint, options.OtlpOverHttp, "metrics"));
            }

            metrics?.Invoke(m);
        });

        if (options.EffectiveTracing)
        {
            otel.WithTracing(t =>
            {
                t.SetSampler(new RootSampler(options.TraceSampleRatio));
                t.AddSource(OrleansComputeSource, OrleansApplicationSource, OrleansRuntimeSource, OrleansStorageSource);
                t.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsPolled(context.Request.Path));
                if (options.EffectiveOtlpEndpoint is { } endpoint)
                {
                    t.AddOtlpExporter(exporter => Otlp(exporter, endpoint, options.OtlpOverHttp, "traces"));
                }

                tracing?.Invoke(t);
            });
        }

        return services;
    }

    /// <summary>
    /// Maps <c>/metrics</c> (Prometheus text format) and the Orleans Dashboard at <c>/orleans-dashboard</c> (its page and
    /// data endpoints), as <see cref="TelemetryOptions"/> says. Both are behind the API-key rule
    /// (<c>ApiKeyMiddleware</c>, which <c>MapOrleansComputeApi</c> adds) and the API's rate limit.
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansComputeTelemetry(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = TelemetryOptions.Read(endpoints.ServiceProvider.GetRequiredService<IConfiguration>());
        if (options.Prometheus)
        {
            endpoints.MapPrometheusScrapingEndpoint(ApiRoutes.Metrics).RequireRateLimiting(OrleansComputeApiExtensions.RateLimitPolicy);
        }

        if (options.OrleansDashboard)
        {
            endpoints.MapOrleansDashboard(ApiRoutes.OrleansDashboard).RequireRateLimiting(OrleansComputeApiExtensions.RateLimitPolicy);
        }

        return endpoints;
    }

    /// <summary>Requests that pollers repeat every second or so: not traced (scrapes, probes, the dashboards' refreshes and files).</summary>
    private static bool IsPolled(PathString path) =>
        path.StartsWithSegments(ApiRoutes.Metrics, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ApiRoutes.OrleansDashboard, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ApiRoutes.Dashboard, StringComparison.OrdinalIgnoreCase);

    private static void Otlp(OtlpExporterOptions exporter, string endpoint, bool overHttp, string signal)
    {
        var uri = new Uri(endpoint);
        exporter.Protocol = overHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Set in code, the endpoint is used as it is: over HTTP it must name the signal's path.
        exporter.Endpoint = overHttp ? new Uri(uri, uri.AbsolutePath.TrimEnd('/') + "/v1/" + signal) : uri;
    }
}
