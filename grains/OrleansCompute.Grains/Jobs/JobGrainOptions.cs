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

    internal int EffectiveMaxSplitsInFlight => MaxSplitsInFlight > 0 ? MaxSplitsInFlight : Math.Max(4, 2 * Environment.ProcessorCount);
}
