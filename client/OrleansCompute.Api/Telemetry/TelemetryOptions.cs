using Microsoft.Extensions.Configuration;

namespace OrleansCompute.Api.Telemetry;

/// <summary>What leaves the process and what operators can open, bound from <c>OrleansCompute:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "OrleansCompute:Telemetry";

    /// <summary>The OpenTelemetry SDK's own variables, honoured when our settings are not set.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>Serve the Orleans Dashboard at <c>/orleans-dashboard</c> (default true). A silo adds its data collection
    /// (<c>AddDashboard</c>) whatever the API does, so that API hosts of the cluster can show it.</summary>
    public bool OrleansDashboard { get; set; } = true;

    /// <summary>Serve the Prometheus scrape endpoint <c>/metrics</c> (default true; needs the HTTP API).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>OTLP collector for metrics and traces (e.g. <c>http://127.0.0.1:4317</c>); none: nothing is pushed.
    /// Falls back to <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318; <c>/v1/metrics</c> and
    /// <c>/v1/traces</c> are appended to the endpoint). Falls back to <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>Record traces (our spans, grain calls, HTTP requests). Default: on exactly when an OTLP endpoint is set,
    /// since without an exporter spans would only cost.</summary>
    public bool? Tracing { get; set; }

    /// <summary>Fraction of new traces recorded (0..1, default 1); a trace started by a sampled caller is always recorded.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary><c>service.name</c> of the exported telemetry (default <c>orleanscompute</c>).</summary>
    public string ServiceName { get; set; } = "orleanscompute";

    /// <summary>The OTLP endpoint in effect, or null.</summary>
    public string? EffectiveOtlpEndpoint { get; private set; }

    /// <summary>Whether OTLP goes over HTTP with protobuf bodies (else gRPC).</summary>
    public bool OtlpOverHttp { get; private set; }

    /// <summary>Whether traces are recorded.</summary>
    public bool EffectiveTracing => Tracing ?? EffectiveOtlpEndpoint is not null;

    /// <summary>Reads <see cref="Section"/> and the OpenTelemetry variables from <paramref name="configuration"/>.</summary>
    public static TelemetryOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        options.EffectiveOtlpEndpoint = options.OtlpEndpoint is { Length: > 0 } endpoint ? endpoint
            : configuration[OtlpEndpointVariable] is { Length: > 0 } fromSdk ? fromSdk : null;
        var protocol = options.OtlpProtocol is { Length: > 0 } p ? p : configuration[OtlpProtocolVariable];
        options.OtlpOverHttp = string.Equals(protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);
        return options;
    }

    /// <summary>Null when usable; otherwise why not, naming the setting (the host then exits with code 2).</summary>
    public string? Validate()
    {
        if (EffectiveOtlpEndpoint is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            return $"{Section}:OtlpEndpoint (or {OtlpEndpointVariable}) must be an http:// or https:// URL of an OTLP collector, e.g. http://127.0.0.1:4317 (was '{endpoint}').";
        }

        if (OtlpProtocol is { Length: > 0 } protocol && !string.Equals(protocol, "grpc", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return $"{Section}:OtlpProtocol must be grpc or http/protobuf (was '{protocol}').";
        }

        if (double.IsNaN(TraceSampleRatio) || TraceSampleRatio is < 0 or > 1)
        {
            return $"{Section}:TraceSampleRatio must be between 0 and 1 (was {TraceSampleRatio}).";
        }

        return string.IsNullOrWhiteSpace(ServiceName) ? $"{Section}:ServiceName must not be empty." : null;
    }
}
