using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansCompute.Telemetry;

/// <summary>
/// The runtime's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>OrleansCompute</c> (other
/// assemblies of the product create their own instances under the same name, so one listener sees them all).
/// Every hook first asks whether anyone listens (<see cref="Instrument.Enabled"/>,
/// <see cref="ActivitySource.HasListeners"/>), so the cost without a listener is a field read and a branch.
/// </summary>
public static class OrleansComputeInstrumentation
{
    public const string Name = "OrleansCompute";

    public static readonly ActivitySource ActivitySource = new(Name, "1.0");

    public static readonly Meter Meter = new(Name, "1.0");

    /// <summary>Grain calls this process executed (tag <c>grain.type</c>).</summary>
    public static readonly Counter<long> GrainCalls = Meter.CreateCounter<long>("orleanscompute.grain.calls", "{call}",
        "Grain calls executed by activations in this process.");

    /// <summary>Time from a call's start in its activation to its completion (tag <c>grain.type</c>).</summary>
    public static readonly Histogram<double> GrainCallDuration = Meter.CreateHistogram<double>("orleanscompute.grain.call.duration", "ms",
        "Grain call execution time inside the activation.");

    /// <summary>Activations created (+1) and removed (-1) (tag <c>grain.type</c>).</summary>
    public static readonly UpDownCounter<long> Activations = Meter.CreateUpDownCounter<long>("orleanscompute.activations", "{activation}",
        "Live grain activations in this process.");

    internal static Activity? StartGrainCall(string grainType, string method, string grainId)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity("grain " + grainType + "." + method, ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("grain.type", grainType);
            activity.SetTag("grain.method", method);
            activity.SetTag("grain.id", grainId);
        }

        return activity;
    }
}
