namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// Settings of the job grains. Register one instance in the silo's services
/// (<c>services.AddSingleton(new JobGrainOptions { … })</c>); without one the defaults apply.
/// </summary>
public sealed class JobGrainOptions
{
    /// <summary>Splits mapped at once per job. 0 (default) means 2 × the processor count, at least 4.</summary>
    public int MaxSplitsInFlight { get; set; }

    /// <summary>Aggregator shards per job (capped by the split count, at least 1). Default 4.</summary>
    public int AggregatorCount { get; set; } = 4;

    /// <summary>Attempts per split before the job fails (failures of silos, timeouts). Default 20.</summary>
    public int SplitAttempts { get; set; } = 20;

    /// <summary>Pause before a retry is attempt × this, at most 2 s. Default 250 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Period of the job grain's drive/keep-alive timer and of the registry's pings. Default 1 s.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Split sizing: a job's input is cut into at least this many splits per core of the cluster (see
    /// <see cref="ClusterCores"/>), never more than the spec's <c>TargetSplitBytes</c> each and never smaller than
    /// <see cref="MinSplitBytes"/>. Few, large splits keep the per-split costs (one partial per split, its shards,
    /// one aggregator write per shard) small; one or two per core keep every core busy. Default 2.
    /// </summary>
    public int SplitsPerCore { get; set; } = 2;

    /// <summary>Cores the cluster maps with. 0 (default) means this silo's processor count (silos cannot see each other's).</summary>
    public int ClusterCores { get; set; }

    /// <summary>Smallest split the sizing above makes (a spec's own smaller <c>TargetSplitBytes</c> still wins). Default 4 MiB.</summary>
    public long MinSplitBytes { get; set; } = 4L << 20;

    /// <summary>
    /// Packing small files: what opening one more file costs, in bytes of reading (Spark's <c>openCostInBytes</c>). Every
    /// piece of a file counts as its length plus this when files are packed into splits and when the split size is chosen
    /// from the input's total, so thousands of small files make about as many splits as the same bytes in one file, and a
    /// split holds at most split size ÷ this files. Default 8 KiB (measured for local files; blob inputs use it too).
    /// </summary>
    public long FileOpenCostBytes { get; set; } = Compute.Inputs.SplitPlanner.DefaultFileOpenCostBytes;

    /// <summary>
    /// What is wrong with these settings, named as in configuration under <paramref name="prefix"/>
    /// (e.g. <c>OrleansCompute:Compute:Jobs:</c>); null when they are usable. Silos check this at start.
    /// </summary>
    public string? Validate(string prefix = "")
    {
        if (MaxSplitsInFlight < 0)
        {
            return $"{prefix}MaxSplitsInFlight must be 0 (2 × the processor count) or more (was {MaxSplitsInFlight}).";
        }

        if (AggregatorCount < 1)
        {
            return $"{prefix}AggregatorCount must be at least 1 (was {AggregatorCount}).";
        }

        if (SplitAttempts < 1)
        {
            return $"{prefix}SplitAttempts must be at least 1 (was {SplitAttempts}).";
        }

        if (RetryBackoff < TimeSpan.Zero)
        {
            return $"{prefix}RetryBackoff must not be negative (was {RetryBackoff}).";
        }

        if (TickInterval <= TimeSpan.Zero)
        {
            return $"{prefix}TickInterval must be positive, such as 00:00:01 (was {TickInterval}).";
        }

        if (SplitsPerCore < 1 || ClusterCores < 0)
        {
            return $"{prefix}SplitsPerCore must be at least 1 and {prefix}ClusterCores 0 (this silo's cores) or more (were {SplitsPerCore} and {ClusterCores}).";
        }

        if (MinSplitBytes < 1024)
        {
            return $"{prefix}MinSplitBytes must be at least 1024 (was {MinSplitBytes}).";
        }

        // 0 would let one split pack any number of files (the activations the packing bounds); above 1 GiB a file would
        // cost more than any split holds.
        if (FileOpenCostBytes is < 1 or > 1L << 30)
        {
            return $"{prefix}FileOpenCostBytes must be between 1 and {1L << 30} bytes (default {Compute.Inputs.SplitPlanner.DefaultFileOpenCostBytes}; was {FileOpenCostBytes}).";
        }

        return null;
    }

    internal int EffectiveClusterCores => ClusterCores > 0 ? ClusterCores : Environment.ProcessorCount;

    /// <summary>The split size for <paramref name="totalBytes"/> of input whose spec asks for at most <paramref name="targetSplitBytes"/>.</summary>
    internal long SplitBytesFor(long totalBytes, long targetSplitBytes)
    {
        var splits = (long)Math.Max(1, SplitsPerCore) * EffectiveClusterCores;
        var even = Math.Max(1, (totalBytes + splits - 1) / splits);
        return Math.Min(targetSplitBytes, Math.Max(even, Math.Min(MinSplitBytes, targetSplitBytes)));
    }

    internal int EffectiveMaxSplitsInFlight => MaxSplitsInFlight > 0 ? MaxSplitsInFlight : Math.Max(4, 2 * Environment.ProcessorCount);
}
