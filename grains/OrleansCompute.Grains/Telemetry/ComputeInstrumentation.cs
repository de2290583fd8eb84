using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Grains.Telemetry;

/// <summary>
/// The grains' instruments and spans on the shared <c>OrleansCompute</c> meter and activity source (this assembly does
/// not reference the API, so it holds its own instances under the same names; listeners match by name): jobs, splits,
/// streaming ingest and the append log. Each hook is a branch on <see cref="Instrument.Enabled"/> /
/// <see cref="ActivitySource.HasListeners"/> when nobody listens. Names and units: <c>Telemetry/README.md</c>.
/// </summary>
public static class ComputeInstrumentation
{
    public const string Name = "OrleansCompute";

    private static readonly ActivitySource s_source = new(Name, "1.0");
    private static readonly Meter s_meter = new(Name, "1.0");

    // OpenTelemetry's default buckets (0 … 10,000) suit milliseconds; these durations are in seconds.
    private static readonly InstrumentAdvice<double> s_seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    // Jobs and splits.
    public static readonly Counter<long> SplitsDone = s_meter.CreateCounter<long>("orleanscompute.jobs.splits", "{split}", "Job splits mapped and merged.");

    public static readonly Counter<long> BytesRead = s_meter.CreateCounter<long>("orleanscompute.jobs.bytes", "By", "Input bytes of the splits done.");

    public static readonly Counter<long> RecordsRead = s_meter.CreateCounter<long>("orleanscompute.jobs.records", "{record}", "Records read by the splits done.");

    public static readonly Counter<long> BadRecords = s_meter.CreateCounter<long>("orleanscompute.jobs.bad_records", "{record}", "Bad records counted (and sampled) by the splits done.");

    public static readonly Counter<long> SplitRetries = s_meter.CreateCounter<long>("orleanscompute.jobs.split.retries", "{retry}",
        "Split attempts that failed for a transient reason (a silo died, a timeout) and were run again.");

    public static readonly Histogram<double> SplitDuration = s_meter.CreateHistogram<double>("orleanscompute.jobs.split.duration", "s",
        "Time a partition grain took for one split: map on a compute thread, then merge into every aggregator (tag job.kind).", tags: null, advice: s_seconds);

    public static readonly Counter<long> JobsFinished = s_meter.CreateCounter<long>("orleanscompute.jobs.finished", "{job}",
        "Jobs that reached a final state (tags job.kind, job.state = completed|failed|cancelled).");

    public static readonly Histogram<double> JobDuration = s_meter.CreateHistogram<double>("orleanscompute.jobs.duration", "s",
        "Time from submission to the final state (tags job.kind, job.state).", tags: null, advice: s_seconds);

    public static readonly UpDownCounter<long> JobsDriving = s_meter.CreateUpDownCounter<long>("orleanscompute.jobs.active", "{job}",
        "Jobs being driven (planned, mapped or collected) by job grains on this silo now.");

    // Streaming ingest (partition grains: whoever called, the HTTP API or a grain client).
    public static readonly Counter<long> StreamEvents = s_meter.CreateCounter<long>("orleanscompute.stream.events", "{event}",
        "Events that reached a stream partition (tag outcome = applied, or duplicate for a (producer, sequence) applied before).");

    public static readonly Histogram<long> GroupCommitBatches = s_meter.CreateHistogram<long>("orleanscompute.stream.commit.batches", "{batch}",
        "Batches written by one group commit of a stream partition (one log append each).", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    // Storage: the append log of stream partitions, whichever provider holds it. Grain state reads and writes are
    // Orleans's own instruments (orleans-storage-*).
    public static readonly Counter<long> LogAppends = s_meter.CreateCounter<long>("orleanscompute.storage.log.appends", "{append}", "Records appended to grain append logs.");

    public static readonly Counter<long> LogBytes = s_meter.CreateCounter<long>("orleanscompute.storage.log.bytes", "By", "Bytes appended to grain append logs (records and snapshots).");

    public static readonly Histogram<double> LogAppendDuration = s_meter.CreateHistogram<double>("orleanscompute.storage.log.append.duration", "s",
        "Time one append to a grain append log took until durable.", tags: null, advice: s_seconds);

    public static readonly Counter<long> LogSnapshots = s_meter.CreateCounter<long>("orleanscompute.storage.log.snapshots", "{snapshot}", "Log snapshots written (the log folded into one record).");

    private static readonly KeyValuePair<string, object?> s_applied = new("outcome", "applied");
    private static readonly KeyValuePair<string, object?> s_duplicate = new("outcome", "duplicate");

    /// <summary>
    /// One run of a job grain from its persisted state towards a final state (a resumed job has several). Its parent is
    /// the context the job was submitted in (<paramref name="traceParent"/>, persisted with the job), so every run of
    /// a job, also one resumed on another silo, is in the trace of its submission.
    /// </summary>
    public static Activity? StartJobRun(string jobId, JobState state, string? traceParent)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var activity = traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? s_source.StartActivity("job run", ActivityKind.Internal, parent)
            : s_source.StartActivity("job run", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("job.state", state.ToString());
        return activity;
    }

    /// <summary>A step of a job grain inside its run: <c>job plan</c> or <c>job collect</c> (shards joined, result finished).</summary>
    public static Activity? StartJobStep(string name, string jobId)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var activity = s_source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        return activity;
    }

    /// <summary>A partition grain running one split (map, then one merge call per aggregator).</summary>
    public static Activity? StartSplit(string jobId, int splitId)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var activity = s_source.StartActivity("split", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("split.id", splitId);
        return activity;
    }

    /// <summary>Whether anyone records this source's spans (to skip work that only feeds a span).</summary>
    public static bool Tracing => s_source.HasListeners();

    /// <summary>An aggregator merging one split's shard (and persisting it).</summary>
    public static Activity? StartMerge(string jobId, string aggregator)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var activity = s_source.StartActivity("merge", ActivityKind.Internal);
        activity?.SetTag("job.id", jobId);
        activity?.SetTag("aggregator", aggregator);
        return activity;
    }

    /// <summary>The current activity's W3C id (<c>traceparent</c>), to persist with a job; null without one.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

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

        if (BadRecords.Enabled && report.BadRecords > 0)
        {
            BadRecords.Add(report.BadRecords);
        }
    }

    public static void SplitMapped(string kind, TimeSpan elapsed)
    {
        if (SplitDuration.Enabled)
        {
            SplitDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("job.kind", kind));
        }
    }

    public static void SplitRetried()
    {
        if (SplitRetries.Enabled)
        {
            SplitRetries.Add(1);
        }
    }

    public static void JobFinished(string kind, JobState state, TimeSpan duration)
    {
        if (JobsFinished.Enabled || JobDuration.Enabled)
        {
            var tags = new TagList { { "job.kind", kind }, { "job.state", StateTag(state) } };
            JobsFinished.Add(1, tags);
            JobDuration.Record(Math.Max(0, duration.TotalSeconds), tags);
        }
    }

    public static void Driving(int delta)
    {
        if (JobsDriving.Enabled)
        {
            JobsDriving.Add(delta);
        }
    }

    public static void StreamApplied(int applied, int duplicates)
    {
        if (StreamEvents.Enabled)
        {
            if (applied > 0)
            {
                StreamEvents.Add(applied, s_applied);
            }

            if (duplicates > 0)
            {
                StreamEvents.Add(duplicates, s_duplicate);
            }
        }
    }

    /// <summary>A timestamp to pass to <see cref="LogAppended"/>, or 0 when the duration is not measured.</summary>
    public static long LogAppendStarting() => LogAppendDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void LogAppended(int batches, int bytes, long started)
    {
        if (LogAppends.Enabled)
        {
            LogAppends.Add(1);
        }

        if (LogBytes.Enabled)
        {
            LogBytes.Add(bytes);
        }

        if (GroupCommitBatches.Enabled)
        {
            GroupCommitBatches.Record(batches);
        }

        if (started != 0)
        {
            LogAppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    public static void LogSnapshotWritten(int bytes)
    {
        if (LogSnapshots.Enabled)
        {
            LogSnapshots.Add(1);
        }

        if (LogBytes.Enabled)
        {
            LogBytes.Add(bytes);
        }
    }

    private static string StateTag(JobState state) => state switch
    {
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Running => "running",
        _ => "queued",
    };
}
