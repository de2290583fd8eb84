using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Grains.Telemetry;

/// <summary>
/// Job progress on the shared <c>OrleansCompute</c> meter and activity source (this assembly does not reference
/// the runtime, so it holds its own instances under the same names; listeners match by name). Each hook is a
/// branch on <see cref="Instrument.Enabled"/> / <see cref="ActivitySource.HasListeners"/> when nobody listens.
/// </summary>
public static class ComputeInstrumentation
{
    public const string Name = "OrleansCompute";

    private static readonly ActivitySource s_source = new(Name, "1.0");
    private static readonly Meter s_meter = new(Name, "1.0");

    public static readonly Counter<long> SplitsDone = s_meter.CreateCounter<long>("orleanscompute.jobs.splits", "{split}", "Job splits mapped and merged.");

    public static readonly Counter<long> BytesRead = s_meter.CreateCounter<long>("orleanscompute.jobs.bytes", "By", "Input bytes of the splits done.");

    public static readonly Counter<long> RecordsRead = s_meter.CreateCounter<long>("orleanscompute.jobs.records", "{record}", "Records read by the splits done.");

    /// <summary>One run of a job grain from its persisted state towards a final state (a resumed job has several).</summary>
    public static Activity? StartJobRun(string jobId, JobState state)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var activity = s_source.StartActivity("job run", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("job.state", state.ToString());
        return activity;
    }

    public static void SplitDone(SplitReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (SplitsDone.Enabled)
        {
            SplitsDone.Add(1);
        }

        if (BytesRead.Enabled)
        {
            BytesRead.Add(report.Bytes);
        }

        if (RecordsRead.Enabled)
        {
            RecordsRead.Add(report.Records);
        }
    }
}
