namespace OrleansCompute.Silo;

/// <summary>How this silo finds the others. Bound from <c>OrleansCompute:Clustering</c>.</summary>
public sealed class ClusteringSettings
{
    /// <summary><c>none</c> (default: one embedded silo) or <c>redis</c> (membership and grain directory in Redis).</summary>
    public string Provider { get; set; } = "none";

    /// <summary>Redis endpoint for membership and the grain directory, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? ConnectionString { get; set; }

    public static readonly string[] Providers = ["none", "redis"];
}
