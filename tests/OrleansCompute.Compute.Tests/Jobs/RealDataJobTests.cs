using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Real data (shared/design/DATA.md samples, as RealDataTests use them) through the real job, partition and
/// aggregator grains of a 3-silo TestCluster, against the independent single-threaded reference.
/// </summary>
[Collection(RedisServerFixture.CollectionName)] // not Redis: in the collection so clusters do not run side by side
public sealed class RealDataJobTests : IAsyncLifetime
{
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Word_count_job_on_a_state_of_the_union_sample_matches_the_reference()
    {
        RealData.Head(RealData.Get("sotu", "sotu.txt"), _cluster.Folder.File("sotu.txt"), 2_000_000);
        var spec = new ComputeJobSpec { Kind = "word-count", Input = new InputSpec { Path = "sotu.txt", TargetSplitBytes = 150_000 } };

        var result = await Run("real-wc", spec);

        var words = (WordCountResult)result.Value!;
        var expected = ReferenceText.WordCount([File.ReadAllBytes(_cluster.Folder.File("sotu.txt"))], lower: true, joinApostrophes: true);
        SplitEquivalenceTests.AssertSameCounts(expected, words.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal), "sotu sample");
        Assert.Equal(expected.Values.Sum(), words.TotalWords);
        Assert.True(result.Splits > 5, $"{result.Splits} splits");
    }

    [Fact]
    public async Task Group_by_job_on_a_flights_csv_sample_matches_the_reference()
    {
        RealData.Head(RealData.Get("flights", "flights-3m.csv"), _cluster.Folder.File("flights.csv"), 3_000_000);
        List<AggregateSpec> aggregates =
        [
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Mean, "delay"),
            AggregateSpec.Of(AggregateFunction.Min, "delay"),
            AggregateSpec.Of(AggregateFunction.Max, "distance"),
            AggregateSpec.Of(AggregateFunction.Sum, "distance"),
        ];
        var spec = new ComputeJobSpec
        {
            Kind = "group-by",
            Input = new InputSpec { Path = "flights.csv", Format = InputFormat.Csv, TargetSplitBytes = 250_000 },
            GroupBy = new GroupByOptions { KeyColumns = ["origin", "destination"], Aggregates = aggregates },
        };

        var result = await Run("real-gb", spec);

        var reference = ReferenceGroupBy.Run(ReferenceRecords.Csv(_cluster.Folder.File("flights.csv"), hasHeader: true, ','), ["origin", "destination"], aggregates);
        var rows = ((GroupByResult)result.Value!).Rows;
        Assert.Equal(reference.Records, result.Records);
        Assert.Equal(0, result.BadRecords.Count);
        Assert.True(rows.Count > 1000, $"{rows.Count} routes");
        Assert.Equal(reference.Rows.Select(r => r.ToString()), rows.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Group_by_job_on_a_flights_json_lines_sample_matches_the_reference()
    {
        RealData.Head(RealData.Get("flights", "flights-200k.jsonl"), _cluster.Folder.File("flights.jsonl"), 1_000_000);
        List<AggregateSpec> aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay"), AggregateSpec.Of(AggregateFunction.Max, "time")];
        var spec = new ComputeJobSpec
        {
            Kind = "group-by",
            Input = new InputSpec { Path = "flights.jsonl", Format = InputFormat.JsonLines, TargetSplitBytes = 100_000 },
            GroupBy = new GroupByOptions { KeyColumns = ["origin"], Aggregates = aggregates },
        };

        var result = await Run("real-gbj", spec);

        var reference = ReferenceGroupBy.Run(ReferenceRecords.JsonLines(_cluster.Folder.File("flights.jsonl")), ["origin"], aggregates);
        Assert.Equal(reference.Records, result.Records);
        Assert.Equal(reference.Rows.Select(r => r.ToString()), ((GroupByResult)result.Value!).Rows.Select(r => r.ToString()));
    }

    private async Task<ComputeJobResult> Run(string jobId, ComputeJobSpec spec)
    {
        await _cluster.Job(jobId).Submit(spec);
        var status = await _cluster.WaitForEnd(jobId, TimeSpan.FromMinutes(2));
        Assert.True(status.State == Grains.Jobs.JobState.Completed, $"{status.State}: {status.Error}");
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        var result = await _cluster.Job(jobId).GetResult();
        Assert.NotNull(result);
        Assert.Equal(status.RecordsRead, result.Records);
        return result;
    }
}
