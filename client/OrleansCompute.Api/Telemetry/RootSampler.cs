using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OrleansCompute.Api.Telemetry;

/// <summary>
/// Which traces are recorded. A span with a parent follows its parent (recorded if the parent was). A trace may start
/// only at an HTTP request (ASP.NET Core) or at one of our own spans (a job run of a job submitted untraced), and is
/// then kept with the configured ratio. Every other root is dropped: grain calls nobody traced — a job grain's timer,
/// membership probes, directory and storage traffic of the runtime — would otherwise each be a trace of their own.
/// Orleans puts the calls to our grains on its <em>runtime</em> source (it classes interfaces by a namespace starting
/// with "Orleans", which "OrleansCompute" does), so that source must be listened to, and this keeps its noise out.
/// </summary>
internal sealed class RootSampler(double ratio) : Sampler
{
    /// <summary>The operation name of ASP.NET Core's request activity.</summary>
    private const string HttpRequest = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>Our span names (<c>ComputeInstrumentation</c>, <c>ApiInstrumentation</c>) that may start a trace.</summary>
    private static readonly HashSet<string> s_ours = new(StringComparer.Ordinal) { "job submit", "job run", "job plan", "job collect", "split", "merge" };

    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        if (parent.TraceId != default)
        {
            return (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
                ? new SamplingResult(SamplingDecision.RecordAndSample)
                : new SamplingResult(SamplingDecision.Drop);
        }

        return samplingParameters.Name is HttpRequest || s_ours.Contains(samplingParameters.Name)
            ? _ratio.ShouldSample(samplingParameters)
            : new SamplingResult(SamplingDecision.Drop);
    }
}
