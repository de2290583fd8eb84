using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using OrleansCompute.Api.Telemetry;

namespace OrleansCompute.Api.Tests;

/// <summary>Telemetry settings (what is exported where) and the API key as a Basic password.</summary>
public sealed class TelemetryOptionsTests
{
    private static TelemetryOptions Read(params (string Key, string Value)[] settings) =>
        TelemetryOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void By_default_metrics_are_scraped_the_dashboard_is_served_and_nothing_is_pushed_or_traced()
    {
        var options = Read();
        Assert.True(options.Prometheus);
        Assert.True(options.OrleansDashboard);
        Assert.Null(options.EffectiveOtlpEndpoint);
        Assert.False(options.EffectiveTracing);
        Assert.Null(options.Validate());
    }

    [Fact]
    public void An_otlp_endpoint_from_our_setting_or_the_sdk_variable_turns_tracing_on()
    {
        var ours = Read(("OrleansCompute:Telemetry:OtlpEndpoint", "http://127.0.0.1:4317"));
        Assert.Equal("http://127.0.0.1:4317", ours.EffectiveOtlpEndpoint);
        Assert.True(ours.EffectiveTracing);
        Assert.False(ours.OtlpOverHttp);

        var sdk = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        Assert.Equal("http://collector:4318", sdk.EffectiveOtlpEndpoint);
        Assert.True(sdk.OtlpOverHttp);

        Assert.False(Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), ("OrleansCompute:Telemetry:Tracing", "false")).EffectiveTracing);
        Assert.True(Read(("OrleansCompute:Telemetry:Tracing", "true")).EffectiveTracing);
    }

    [Theory]
    [InlineData("OrleansCompute:Telemetry:OtlpEndpoint", "localhost:4317", "must be an http:// or https:// URL")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url", "must be an http:// or https:// URL")]
    [InlineData("OrleansCompute:Telemetry:OtlpProtocol", "udp", "must be grpc or http/protobuf")]
    [InlineData("OrleansCompute:Telemetry:TraceSampleRatio", "1.5", "between 0 and 1")]
    [InlineData("OrleansCompute:Telemetry:ServiceName", " ", "must not be empty")]
    public void Settings_that_cannot_work_are_refused_naming_them(string key, string value, string message)
    {
        var problem = Read((key, value)).Validate();
        Assert.NotNull(problem);
        Assert.Contains(message, problem, StringComparison.Ordinal);
        Assert.Contains(key.StartsWith("OTEL", StringComparison.Ordinal) ? "OTEL_EXPORTER_OTLP_ENDPOINT" : key, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prometheus:the-key-0123456789abcdef", "the-key-0123456789abcdef")]
    [InlineData(":the:key:with:colons", "the:key:with:colons")]
    [InlineData("user:", null)]
    [InlineData("no colon", null)]
    public void The_password_of_a_basic_header_is_the_key(string credentials, string? key)
    {
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        Assert.Equal(key, BasicApiKeyMiddleware.BasicPassword(new StringValues(header)));
    }

    [Theory]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Bearer abc")]
    [InlineData("Basic")]
    [InlineData("Basic é")]
    public void Malformed_or_other_authorization_headers_give_no_key(string header) =>
        Assert.Null(BasicApiKeyMiddleware.BasicPassword(new StringValues(header)));
}
