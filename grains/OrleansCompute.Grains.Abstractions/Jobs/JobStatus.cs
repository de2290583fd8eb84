using Orleans;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Progress of a job as its job grain last persisted it.</summary>
[GenerateSerializer, Immutable]
public sealed class JobStatus
{
    [Id(0)]
    public string JobId { get; set; } = "";

    [Id(1)]
    public JobState State { get; set; }

    [Id(2)]
    public int SplitsDone { get; set; }

    /// <summary>Splits in the plan (0 until planned).</summary>
    [Id(3)]
    public int SplitsTotal { get; set; }

    /// <summary>Bytes of the splits done (each split's byte range).</summary>
    [Id(4)]
    public long BytesRead { get; set; }

    /// <summary>Total bytes of the input (0 until planned).</summary>
    [Id(5)]
    public long BytesTotal { get; set; }

    [Id(6)]
    public long RecordsRead { get; set; }

    [Id(7)]
    public long BadRecords { get; set; }

    /// <summary>Time spent resolving inputs and cutting splits.</summary>
    [Id(8)]
    public TimeSpan PlanningTime { get; set; }

    /// <summary>Wall time of the map phase (partitions mapping splits and aggregators merging their shards), summed over runs of the job grain.</summary>
    [Id(9)]
    public TimeSpan MapTime { get; set; }

    /// <summary>Wall time of collecting the aggregators' shards, joining them and finishing the result.</summary>
    [Id(10)]
    public TimeSpan MergeTime { get; set; }

    /// <summary>Why the job failed (null otherwise).</summary>
    [Id(11)]
    public string? Error { get; set; }

    /// <summary>Split calls that failed and were retried (silo deaths, timeouts).</summary>
    [Id(12)]
    public int Retries { get; set; }

    /// <summary>How many times the job grain resumed a running job from persisted progress (after deactivation or silo death).</summary>
    [Id(13)]
    public int Resumes { get; set; }

    [Id(14)]
    public DateTimeOffset SubmittedAt { get; set; }

    [Id(15)]
    public DateTimeOffset? FinishedAt { get; set; }

    [Id(16)]
    public ComputeJobSpec? Spec { get; set; }

    /// <summary>Done splits per silo that ran them (<c>ip:port@generation</c>); splits done before per-split records were kept count under "".</summary>
    [Id(17)]
    public Dictionary<string, int> SplitsBySilo { get; set; } = [];

    /// <summary>Part of <see cref="MergeTime"/>: reading the aggregators' shards (or, for kinds that join shard results, the aggregators finishing theirs).</summary>
    [Id(18)]
    public TimeSpan CollectTime { get; set; }

    /// <summary>Part of <see cref="MergeTime"/>: joining the shards, finishing the result and persisting the final state.</summary>
    [Id(19)]
    public TimeSpan FinishTime { get; set; }
}
