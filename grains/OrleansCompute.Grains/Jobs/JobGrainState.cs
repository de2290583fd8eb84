namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Persisted state of a job grain. The spec, the plan and the result are kept in the binary wire format
/// (they hold polymorphic values the JSON storage serializer cannot round-trip); the rest is plain.
/// </summary>
public sealed class JobGrainState
{
    public bool Submitted { get; set; }

    public JobState State { get; set; }

    public byte[]? Spec { get; set; }

    public byte[]? Plan { get; set; }

    public int SplitsTotal { get; set; }

    public long BytesTotal { get; set; }

    public int ShardCount { get; set; }

    /// <summary>Splits whose shards every aggregator acknowledged (persisted merges).</summary>
    public List<int> DoneSplits { get; set; } = [];

    public long BytesRead { get; set; }

    public long RecordsRead { get; set; }

    public long BadRecords { get; set; }

    public TimeSpan PlanningTime { get; set; }

    public TimeSpan MapTime { get; set; }

    public TimeSpan MergeTime { get; set; }

    public string? Error { get; set; }

    public int Retries { get; set; }

    public int Resumes { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public byte[]? Result { get; set; }

    /// <summary>
    /// Completed with the result left in the aggregators' persisted shards (kinds that join shard results): a new
    /// activation finishes it again from them instead of reading <see cref="Result"/>.
    /// </summary>
    public bool ResultInShards { get; set; }
}
