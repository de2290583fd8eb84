namespace OrleansCompute.Silo;

/// <summary>How this silo finds the others. Bound from <c>OrleansCompute:Clustering</c>.</summary>
public sealed class ClusteringSettings
{
    /// <summary>
    /// <c>none</c> (default: one embedded silo; Orleans's localhost clustering on loopback) or <c>redis</c> (Orleans's
    /// Redis membership table: silo processes on any number of machines form one cluster).
    /// </summary>
    public string Provider { get; set; } = "none";

    /// <summary>StackExchange.Redis configuration of the membership server, e.g. <c>127.0.0.1:6379</c> or <c>host:6379,password=…</c>.</summary>
    public string? ConnectionString { get; set; }

    public static readonly string[] Providers = ["none", "redis"];
}
