using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Examples.RouteStats;

/// <summary>
/// A user-defined job kind, <c>route-stats</c>: over a flights CSV (columns <c>origin</c>, <c>destination</c>,
/// <c>delay</c> in minutes), per route "origin-destination" the number of flights, the total delay and the worst
/// delay; the result is the <c>Parameters["top"]</c> busiest routes (default 10) with their mean delay.
/// Map emits one <see cref="RouteTally"/> per record; Combine adds tallies (associative and commutative, so any
/// split/merge order gives the same result); Finish ranks the routes.
/// </summary>
public sealed class RouteStatsJob : ComputeJob<string, RouteTally, RouteReport>
{
    public const string Kind = "route-stats";

    private readonly int _top;

    public RouteStatsJob(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _top = spec.Parameters.TryGetValue("top", out var top) ? int.Parse(top, System.Globalization.CultureInfo.InvariantCulture) : 10;
        ArgumentOutOfRangeException.ThrowIfLessThan(_top, 1, "Parameters[top]");
    }

    /// <summary>Adds this kind to a silo's registry: <c>services.AddSingleton(RouteStatsJob.Register(ComputeJobRegistry.CreateDefault()))</c>.</summary>
    public static ComputeJobRegistry Register(ComputeJobRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Register<string, RouteTally, RouteReport>(Kind, static spec => new RouteStatsJob(spec));
    }

    // Record columns 0, 1, 2 in this order (CSV header names).
    public override IReadOnlyList<string> Columns => ["origin", "destination", "delay"];

    public override IEqualityComparer<string> KeyComparer => StringComparer.Ordinal;

    public override void Map(in ComputeRecord record, Combiner<string, RouteTally> output)
    {
        if (!long.TryParse(record.GetColumn(2), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var delay))
        {
            output.Reject("delay is not a whole number of minutes"); // counted and sampled as a bad record
            return;
        }

        output.Emit($"{record.GetString(0)}-{record.GetString(1)}", new RouteTally { Flights = 1, TotalDelay = delay, WorstDelay = delay });
    }

    public override RouteTally Combine(RouteTally accumulated, RouteTally value) => new()
    {
        Flights = accumulated.Flights + value.Flights,
        TotalDelay = accumulated.TotalDelay + value.TotalDelay,
        WorstDelay = Math.Max(accumulated.WorstDelay, value.WorstDelay),
    };

    public override RouteReport Finish(ComputePartial<string, RouteTally> merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var busiest = merged.Entries
            .OrderByDescending(e => e.Value.Flights)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(_top)
            .Select(e => new RouteLine
            {
                Route = e.Key,
                Flights = e.Value.Flights,
                MeanDelay = (decimal)e.Value.TotalDelay / e.Value.Flights,
                WorstDelay = e.Value.WorstDelay,
            });
        return new RouteReport { Routes = merged.Entries.Count, Busiest = [.. busiest] };
    }
}
