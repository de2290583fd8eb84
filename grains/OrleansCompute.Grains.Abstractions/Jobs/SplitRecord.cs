using Orleans;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Where one split of a job stands.</summary>
public enum SplitState : byte
{
    /// <summary>Not dispatched yet (or to be run again: its merge was lost).</summary>
    Pending = 0,

    /// <summary>Dispatched to its partition grain, no answer yet.</summary>
    Running = 1,

    /// <summary>Mapped and merged by every aggregator.</summary>
    Done = 2,

    /// <summary>Failed every attempt, or failed the job (bad input, too many bad records).</summary>
    Failed = 3,
}

/// <summary>One split as its job grain recorded it (see <see cref="IJobGrain.GetSplits"/>).</summary>
[GenerateSerializer, Immutable]
public sealed class SplitRecord
{
    [Id(0)]
    public int SplitId { get; set; }

    [Id(1)]
    public SplitState State { get; set; }

    /// <summary>The silo that ran it last (<c>ip:port@generation</c>); null until a run of it answered.</summary>
    [Id(2)]
    public string? Silo { get; set; }

    /// <summary>Partition calls made for it, over every run of the job grain.</summary>
    [Id(3)]
    public int Attempts { get; set; }

    /// <summary>Calls that failed and were tried again (silo deaths, timeouts, a throwing map).</summary>
    [Id(4)]
    public int Retries { get; set; }

    /// <summary>Times it was run again after a run of it was cut off: the job grain resumed (its silo died) or a shard lacked its merge.</summary>
    [Id(5)]
    public int Resumes { get; set; }

    /// <summary>Wall time of its last successful run on the partition grain (map and merges), in milliseconds.</summary>
    [Id(6)]
    public long DurationMs { get; set; }

    [Id(7)]
    public long Records { get; set; }

    [Id(8)]
    public long BadRecords { get; set; }
}

/// <summary>A page of <see cref="SplitRecord"/>s.</summary>
[GenerateSerializer, Immutable]
public sealed class SplitPage
{
    /// <summary>Splits that match the state filter (all splits without one).</summary>
    [Id(0)]
    public int Total { get; set; }

    [Id(1)]
    public List<SplitRecord> Splits { get; set; } = [];
}
