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

/// <summary>
/// Answer of <c>GET /api/cluster/metrics</c>: each active silo's last samples (oldest first, one every
/// <see cref="IntervalSeconds"/>, at most <see cref="Capacity"/>) of CPU, memory, GC and grain calls, read on the silo from
/// the meters the telemetry export reads (System.Runtime, Microsoft.Orleans).
/// </summary>
public sealed class ClusterMetricsView
{
    public double IntervalSeconds { get; set; }

    public int Capacity { get; set; }

    public List<SiloMetricsView> Silos { get; set; } = [];
}

public sealed class SiloMetricsView
{
    /// <summary><c>host:port@generation</c>, as in <see cref="SiloView.Address"/>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Why the silo's samples are missing (it did not answer in time); null otherwise.</summary>
    public string? Error { get; set; }

    public List<SiloMetricsSampleView> Samples { get; set; } = [];
}

public sealed class SiloMetricsSampleView
{
    /// <summary>End of the sample's interval.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Process CPU over the interval, percent of all cores (<c>dotnet.process.cpu.time</c>).</summary>
    public double CpuPercent { get; set; }

    /// <summary>Process working set (<c>dotnet.process.memory.working_set</c>).</summary>
    public long MemoryBytes { get; set; }

    /// <summary>Garbage collections during the interval, all generations (<c>dotnet.gc.collections</c>).</summary>
    public long GcCollections { get; set; }

    /// <summary>Share of the interval paused for GC, percent (<c>dotnet.gc.pause.time</c>).</summary>
    public double GcPausePercent { get; set; }

    /// <summary>Grain calls received per second (<c>orleans-messaging-processing-dispatcher-received</c>, requests).</summary>
    public double CallsPerSecond { get; set; }
}
