namespace OrleansCompute.Client.Contracts;

/// <summary>Answer of <c>GET /api/cluster</c>.</summary>
public sealed class ClusterView
{
    public string ClusterId { get; set; } = "";

    public List<SiloView> Silos { get; set; } = [];

    public int TotalActivations { get; set; }
}

public sealed class SiloView
{
    /// <summary><c>host:port@generation</c>.</summary>
    public string Address { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary><c>joining</c>, <c>active</c>, <c>shutting-down</c> or <c>dead</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>Null when the silo did not answer (dead or unreachable).</summary>
    public int? Activations { get; set; }

    public Dictionary<string, int> ActivationsByType { get; set; } = [];

    /// <summary>CPU use of the silo's process in percent (Orleans's runtime statistics); null when the silo did not answer.</summary>
    public double? CpuUsage { get; set; }

    /// <summary>Memory used by the silo's process in bytes (Orleans's runtime statistics); null when the silo did not answer.</summary>
    public long? MemoryUsageBytes { get; set; }

    public DateTimeOffset? StartedAt { get; set; }
}
