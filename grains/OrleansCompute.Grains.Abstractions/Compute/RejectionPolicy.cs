using Orleans;

namespace OrleansCompute.Grains.Compute;

/// <summary>
/// When bad records fail a job. A bad record never stops a split; the job fails at the end (or as soon
/// as a progress check sees it) if either limit is exceeded. Default: no limits (never fails).
/// </summary>
[GenerateSerializer]
public sealed class RejectionPolicy
{
    /// <summary>Fail when more bad records than this are seen. Default null (no limit).</summary>
    [Id(0)]
    public long? MaxBadRecords { get; set; }

    /// <summary>Fail when bad / all records exceeds this fraction (0..1). Default null (no limit).</summary>
    [Id(1)]
    public double? MaxBadFraction { get; set; }

    /// <summary>Bad records kept as samples (the first in file order). Default 10.</summary>
    [Id(2)]
    public int MaxSamples { get; set; } = 10;
}
