using System.Globalization;
using Orleans.TestingHost;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Examples.RouteStats;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// The README's worked example of a user-defined job (grains/OrleansCompute.Examples.RouteStats, its own assembly): registered in the
/// silos exactly as the README shows, run as a real job on a 2-silo TestCluster over a sample of the real flights
/// CSV, and checked against a plain LINQ computation of the same numbers.
/// </summary>
[Collection(RedisServerFixture.CollectionName)] // not Redis: in the collection so clusters do not run side by side
public sealed class UserJobExampleTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _data = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        // README: "Register it in the silo": the silos' kinds are RouteStatsJob.Register(ComputeJobRegistry.CreateDefault())
        // (ComputeTestCluster's "routes" kinds), given to AddOrleansCompute.
        _cluster = ComputeTestCluster.Build(2, new ComputeClusterSettings { DataRoot = _data.Path, Kinds = "routes" });
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Route_stats_job_runs_through_the_grains_and_gives_the_exact_busiest_routes()
    {
        RealData.Head(RealData.Get("flights", "flights-3m.csv"), _data.File("flights.csv"), 2_000_000);
        File.AppendAllText(_data.File("flights.csv"), "2001-02-01 00:00:00,late,100,SFO,LAX\n"); // one bad record

        // README: "Run it".
        var job = _cluster.Client.GetGrain<IJobGrain>("routes-1");
        await job.Submit(new ComputeJobSpec
        {
            Kind = RouteStatsJob.Kind,
            Input = new InputSpec { Path = "flights.csv", Format = InputFormat.Csv, TargetSplitBytes = 200_000 },
            Parameters = { ["top"] = "5" },
        });
        JobStatus status;
        do
        {
            status = await job.WaitForEnd(TimeSpan.FromSeconds(30));
        }
        while (status.State is JobState.Queued or JobState.Running);

        Assert.True(status.State == JobState.Completed, status.Error);
        var result = (await job.GetResult())!;
        var report = (RouteReport)result.Value!;

        // The same numbers by plain LINQ over the file (no quotes in it; header: date,delay,distance,origin,destination).
        var rows = File.ReadLines(_data.File("flights.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var good = rows.Where(f => long.TryParse(f[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)).ToList();
        var routes = good.GroupBy(f => $"{f[3]}-{f[4]}", StringComparer.Ordinal)
            .Select(g => (Route: g.Key, Flights: (long)g.Count(), Total: g.Sum(f => long.Parse(f[1], CultureInfo.InvariantCulture)), Worst: g.Max(f => long.Parse(f[1], CultureInfo.InvariantCulture))))
            .ToList();
        var expected = routes.OrderByDescending(r => r.Flights).ThenBy(r => r.Route, StringComparer.Ordinal).Take(5).ToList();

        Assert.Equal(rows.Count, result.Records);
        Assert.Equal(1, result.BadRecords.Count);
        Assert.Equal("delay is not a whole number of minutes", Assert.Single(result.BadRecords.Samples).Reason);
        Assert.Equal(routes.Count, report.Routes);
        Assert.Equal(expected.Select(e => e.Route), report.Busiest.Select(b => b.Route));
        Assert.Equal(expected.Select(e => e.Flights), report.Busiest.Select(b => b.Flights));
        Assert.Equal(expected.Select(e => (decimal)e.Total / e.Flights), report.Busiest.Select(b => b.MeanDelay));
        Assert.Equal(expected.Select(e => e.Worst), report.Busiest.Select(b => b.WorstDelay));
        Assert.True(status.SplitsTotal > 5, $"{status.SplitsTotal} splits");
    }
}
