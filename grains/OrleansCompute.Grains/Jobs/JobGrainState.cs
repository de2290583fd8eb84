using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Persisted state of a job grain. The spec and the result are kept in the binary wire format (they hold polymorphic
/// values the JSON storage serializer cannot round-trip), the plan in its compact form; the rest is plain.
/// </summary>
[GenerateSerializer]
public sealed class JobGrainState
{
    [Id(0)]
    public bool Submitted { get; set; }

    [Id(1)]
    public JobState State { get; set; }

    [Id(2)]
    public byte[]? Spec { get; set; }

    /// <summary>
    /// The plan as Orleans serialized it field by field (every range with its full path): what jobs planned before compact
    /// plans persisted. Still read, so such a job resumes after an upgrade; new plans go to <see cref="CompactPlan"/>.
    /// </summary>
    [Id(3)]
    public byte[]? Plan { get; set; }

    [Id(4)]
    public int SplitsTotal { get; set; }

    [Id(5)]
    public long BytesTotal { get; set; }

    [Id(6)]
    public int ShardCount { get; set; }

    /// <summary>Splits whose shards every aggregator acknowledged (persisted merges).</summary>
    [Id(7)]
    public List<int> DoneSplits { get; set; } = [];

    [Id(8)]
    public long BytesRead { get; set; }

    [Id(9)]
    public long RecordsRead { get; set; }

    [Id(10)]
    public long BadRecords { get; set; }

    [Id(11)]
    public TimeSpan PlanningTime { get; set; }

    [Id(12)]
    public TimeSpan MapTime { get; set; }

    [Id(13)]
    public TimeSpan MergeTime { get; set; }

    [Id(14)]
    public string? Error { get; set; }

    [Id(15)]
    public int Retries { get; set; }

    [Id(16)]
    public int Resumes { get; set; }

    [Id(17)]
    public DateTimeOffset SubmittedAt { get; set; }

    [Id(18)]
    public DateTimeOffset? FinishedAt { get; set; }

    [Id(19)]
    public byte[]? Result { get; set; }

    /// <summary>
    /// Completed with the result left in the aggregators' persisted shards (kinds that join shard results): a new
    /// activation finishes it again from them instead of reading <see cref="Result"/>.
    /// </summary>
    [Id(20)]
    public bool ResultInShards { get; set; }

    /// <summary>
    /// The W3C trace context (<c>traceparent</c>) the job was submitted in, when it was traced: every run of the job,
    /// also one resumed after its silo died, is a span of that trace.
    /// </summary>
    [Id(21)]
    public string? TraceParent { get; set; }

    /// <summary>The plan in its compact form (<c>SplitPlanCodec</c>: the file list once, splits as references into it).</summary>
    [Id(22)]
    public byte[]? CompactPlan { get; set; }

    /// <summary>Per-split records (<c>SplitLedger</c>'s compact form); null before planning, and for jobs planned before they were kept.</summary>
    [Id(23)]
    public byte[]? SplitRecords { get; set; }

    /// <summary>Part of <see cref="MergeTime"/>: reading (or having finished) the aggregators' shards.</summary>
    [Id(24)]
    public TimeSpan CollectTime { get; set; }

    /// <summary>Part of <see cref="MergeTime"/>: joining the shards, finishing the result and persisting it.</summary>
    [Id(25)]
    public TimeSpan FinishTime { get; set; }
}
