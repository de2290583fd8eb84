using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Api;

/// <summary>
/// Each silo's recent CPU, memory, GC and grain-call samples (<see cref="SiloMetricsHistory"/>), gathered from the silos
/// named: one call to each silo's metrics grain service, in parallel. Stateless worker (key 0): callable from a silo or
/// a standalone API host.
/// </summary>
public interface ISiloMetricsGrain : IGrainWithIntegerKey
{
    /// <summary>One history per silo asked, in order; a silo that did not answer within a few seconds has <see cref="SiloMetricsHistory.Error"/> set.</summary>
    Task<List<SiloMetricsHistory>> GetHistories(List<SiloAddress> silos);
}

/// <summary>The last samples of one silo (oldest first), taken every <see cref="IntervalSeconds"/> from the meters the telemetry export reads.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloMetricsHistory
{
    [Id(0)]
    public string Silo { get; set; } = "";

    [Id(1)]
    public double IntervalSeconds { get; set; }

    /// <summary>How many samples the silo keeps (the window is <see cref="Capacity"/> × <see cref="IntervalSeconds"/>).</summary>
    [Id(2)]
    public int Capacity { get; set; }

    [Id(3)]
    public List<SiloMetricsSample> Samples { get; set; } = [];

    /// <summary>Why the silo's samples are missing (it did not answer); null otherwise.</summary>
    [Id(4)]
    public string? Error { get; set; }
}

/// <summary>One interval of one silo.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloMetricsSample
{
    /// <summary>End of the interval.</summary>
    [Id(0)]
    public DateTimeOffset At { get; set; }

    /// <summary>CPU time of the silo's process over the interval, in percent of all cores (System.Runtime <c>dotnet.process.cpu.time</c>).</summary>
    [Id(1)]
    public double CpuPercent { get; set; }

    /// <summary>Working set at the end of the interval (System.Runtime <c>dotnet.process.memory.working_set</c>).</summary>
    [Id(2)]
    public long MemoryBytes { get; set; }

    /// <summary>Garbage collections during the interval, all generations (System.Runtime <c>dotnet.gc.collections</c>).</summary>
    [Id(3)]
    public long GcCollections { get; set; }

    /// <summary>Share of the interval the runtime was paused for GC, percent (System.Runtime <c>dotnet.gc.pause.time</c>).</summary>
    [Id(4)]
    public double GcPausePercent { get; set; }

    /// <summary>Grain calls (request messages) this silo received per second (Microsoft.Orleans <c>orleans-messaging-processing-dispatcher-received</c>, Direction=Request).</summary>
    [Id(5)]
    public double CallsPerSecond { get; set; }
}
