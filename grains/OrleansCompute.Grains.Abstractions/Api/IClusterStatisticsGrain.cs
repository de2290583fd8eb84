using Orleans;

namespace OrleansCompute.Grains.Api;

/// <summary>
/// Where each silo posts its own statistics every couple of seconds (one grain, key 0; in memory only, so a
/// restart empties it until the next reports). The cluster view joins these with the membership table.
/// </summary>
public interface IClusterStatisticsGrain : IGrainWithIntegerKey
{
    Task Report(SiloStatisticsReport report);

    /// <summary>The latest report of every silo that reported in the last minute.</summary>
    Task<List<SiloStatisticsReport>> GetAll();
}

/// <summary>One silo's statistics at <see cref="At"/>.</summary>
[GenerateSerializer]
public sealed class SiloStatisticsReport
{
    /// <summary>The silo's address (<c>host:port@generation</c>), or <c>embedded:{name}</c> for a silo without a cluster.</summary>
    [Id(0)]
    public string Silo { get; set; } = "";

    [Id(1)]
    public string Name { get; set; } = "";

    [Id(2)]
    public Dictionary<string, int> ActivationsByType { get; set; } = [];

    /// <summary>Grain calls per second over the reporting interval.</summary>
    [Id(3)]
    public double CallsPerSecond { get; set; }

    [Id(4)]
    public DateTimeOffset At { get; set; }

    [Id(5)]
    public DateTimeOffset StartedAt { get; set; }
}
