using System.Diagnostics;

namespace OrleansCompute.Telemetry;

/// <summary>The runtime's metric hooks, each a branch on <see cref="System.Diagnostics.Metrics.Instrument.Enabled"/> when nobody listens.</summary>
internal static class GrainCallHooks
{
    public static void Completed(string grainType, long started)
    {
        var tag = new KeyValuePair<string, object?>("grain.type", grainType);
        if (OrleansComputeInstrumentation.GrainCalls.Enabled)
        {
            OrleansComputeInstrumentation.GrainCalls.Add(1, tag);
        }

        if (started != 0)
        {
            OrleansComputeInstrumentation.GrainCallDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tag);
        }
    }

    public static void ActivationChanged(string grainType, int delta)
    {
        if (OrleansComputeInstrumentation.Activations.Enabled)
        {
            OrleansComputeInstrumentation.Activations.Add(delta, new KeyValuePair<string, object?>("grain.type", grainType));
        }
    }
}
