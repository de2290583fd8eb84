using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansCompute.Telemetry;

namespace OrleansCompute.Api;

/// <summary>The API's instruments, on the shared <c>OrleansCompute</c> meter and activity source.</summary>
internal static class ApiInstrumentation
{
    public static readonly Counter<long> IngestEvents = OrleansComputeInstrumentation.Meter.CreateCounter<long>("orleanscompute.ingest.events", "{event}",
        "Events received by HTTP ingest (tag outcome: applied or duplicate).");

    public static readonly Counter<long> IngestBatches = OrleansComputeInstrumentation.Meter.CreateCounter<long>("orleanscompute.ingest.batches", "{batch}",
        "Ingest requests acknowledged.");

    public static readonly Histogram<double> IngestDuration = OrleansComputeInstrumentation.Meter.CreateHistogram<double>("orleanscompute.ingest.duration", "ms",
        "Time to parse and acknowledge one ingest request.");

    public static readonly Counter<long> JobsSubmitted = OrleansComputeInstrumentation.Meter.CreateCounter<long>("orleanscompute.jobs.submitted", "{job}",
        "Jobs accepted through the API (tag job.kind).");

    public static void Ingested(int applied, int duplicates, long started)
    {
        if (IngestEvents.Enabled)
        {
            IngestEvents.Add(applied, new KeyValuePair<string, object?>("outcome", "applied"));
            IngestEvents.Add(duplicates, new KeyValuePair<string, object?>("outcome", "duplicate"));
        }

        if (IngestBatches.Enabled)
        {
            IngestBatches.Add(1);
        }

        if (IngestDuration.Enabled)
        {
            IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public static Activity? StartJobSubmit(string jobId, string kind)
    {
        if (!OrleansComputeInstrumentation.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = OrleansComputeInstrumentation.ActivitySource.StartActivity("job submit", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("job.kind", kind);
        return activity;
    }
}
