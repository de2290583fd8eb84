using Orleans;

namespace OrleansCompute.Examples.RouteStats;

/// <summary>The value of one route in a partial (crosses silos inside partials, so it is serializable).</summary>
[GenerateSerializer]
public struct RouteTally
{
    [Id(0)]
    public long Flights { get; set; }

    [Id(1)]
    public long TotalDelay { get; set; }

    [Id(2)]
    public long WorstDelay { get; set; }
}

/// <summary>The job's result: how many routes there are and the busiest ones.</summary>
[GenerateSerializer]
public sealed class RouteReport
{
    [Id(0)]
    public int Routes { get; set; }

    [Id(1)]
    public List<RouteLine> Busiest { get; set; } = [];
}

[GenerateSerializer]
public sealed class RouteLine
{
    [Id(0)]
    public string Route { get; set; } = "";

    [Id(1)]
    public long Flights { get; set; }

    [Id(2)]
    public decimal MeanDelay { get; set; }

    [Id(3)]
    public long WorstDelay { get; set; }

    public override string ToString() => $"{Route}: {Flights} flights, mean delay {MeanDelay:0.##} min, worst {WorstDelay} min";
}
