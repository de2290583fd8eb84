namespace OrleansCompute.Configuration;

/// <summary>Silo identity. Bound from <c>OrleansCompute:Silo</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>Name of this silo in logs and the dashboard. Default: the machine name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>Silos with the same cluster id form one cluster. Default <c>dev</c>.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>Identifies the application across cluster redeployments (prefixes storage keys). Default <c>orleanscompute</c>.</summary>
    public string ServiceId { get; set; } = "orleanscompute";

    /// <summary>Shared secret silos and clients prove they know when connecting (never sent, never logged).
    /// Required when the silo is clustered; at least 16 characters.</summary>
    public string? ClusterSecret { get; set; }
}
