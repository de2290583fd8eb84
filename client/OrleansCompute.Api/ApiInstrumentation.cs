using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansCompute.Api;

/// <summary>The API's instruments, on the shared <c>OrleansCompute</c> meter and activity source.</summary>
internal static class ApiInstrumentation
{
    /// <summary>The product's meter and activity source name (the grains hold their own instances under it; listeners match by name).</summary>
    public const string Name = "OrleansCompute";

    public static readonly Meter Meter = new(Name, "1.0");

    public static readonly ActivitySource ActivitySource = new(Name, "1.0");

    public static readonly Counter<long> IngestEvents = Meter.CreateCounter<long>("orleanscompute.ingest.events", "{event}",
        "Events received by HTTP ingest (tag outcome: applied or duplicate).");

    public static readonly Counter<long> IngestBatches = Meter.CreateCounter<long>("orleanscompute.ingest.batches", "{batch}",
        "Ingest requests acknowledged.");

    public static readonly Histogram<double> IngestDuration = Meter.CreateHistogram<double>("orleanscompute.ingest.duration", "ms",
        "Time to parse and acknowledge one ingest request.");

    public static readonly Counter<long> JobsSubmitted = Meter.CreateCounter<long>("orleanscompute.jobs.submitted", "{job}",
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
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity("job submit", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("job.kind", kind);
        return activity;
    }
}
