using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// Word count and group-by on data nobody on the team wrote (see shared/design/DATA.md), against the
/// reference. The small samples run by default; the full sets are in the Long category.
/// </summary>
public sealed class RealDataTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Word_count_on_a_state_of_the_union_sample_matches_the_reference()
    {
        RealData.Head(RealData.Get("sotu", "sotu.txt"), _folder.File("sotu.txt"), 2_000_000);
        AssertWordCount(_folder.Path, "sotu.txt", splitBytes: 100_000);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Word_count_on_all_of_gcide_matches_the_reference()
    {
        var path = RealData.Get("gcide", "gcide.txt");
        AssertWordCount(Path.GetDirectoryName(path)!, "gcide.txt", splitBytes: 4_000_000);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Word_count_on_all_of_sotu_matches_the_reference()
    {
        var path = RealData.Get("sotu", "sotu.txt");
        AssertWordCount(Path.GetDirectoryName(path)!, "sotu.txt", splitBytes: 1_000_000);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Group_by_origin_on_the_flights_csv_matches_the_reference()
    {
        var path = RealData.Get("flights", "flights-3m.csv");
        var aggregates = new List<AggregateSpec>
        {
            AggregateSpec.Of(AggregateFunction.Count),
            AggregateSpec.Of(AggregateFunction.Mean, "delay"),
            AggregateSpec.Of(AggregateFunction.Max, "distance"),
        };
        var spec = new ComputeJobSpec
        {
            JobId = "flights",
            Kind = "group-by",
            Input = new InputSpec { Path = "flights-3m.csv", Format = InputFormat.Csv, TargetSplitBytes = 8_000_000 },
            GroupBy = new GroupByOptions { KeyColumns = ["origin"], Aggregates = aggregates },
        };
        var result = Engine.Run(spec, Path.GetDirectoryName(path)!, new Random(1), shards: 3);
        var reference = ReferenceGroupBy.Run(ReferenceRecords.Csv(path, hasHeader: true, ','), ["origin"], aggregates);
        var rows = ((GroupByResult)result.Value!).Rows;
        Assert.Equal(3_000_000, result.Records);
        Assert.Equal(0, result.BadRecords.Count);
        Assert.Equal(reference.Rows.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(reference.Rows[i].Key, rows[i].Key);
            Assert.Equal(reference.Rows[i].Values, rows[i].Values);
        }
    }

    [Fact]
    public void Group_by_on_a_flights_json_lines_sample_matches_the_reference()
    {
        RealData.Head(RealData.Get("flights", "flights-200k.jsonl"), _folder.File("flights.jsonl"), 1_000_000);
        var aggregates = new List<AggregateSpec> { AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay"), AggregateSpec.Of(AggregateFunction.Max, "time") };
        var spec = new ComputeJobSpec
        {
            JobId = "fj",
            Kind = "group-by",
            Input = new InputSpec { Path = "flights.jsonl", Format = InputFormat.JsonLines, TargetSplitBytes = 50_000 },
            GroupBy = new GroupByOptions { KeyColumns = ["distance"], Aggregates = aggregates },
        };
        var result = Engine.Run(spec, _folder.Path, new Random(2));
        var reference = ReferenceGroupBy.Run(ReferenceRecords.JsonLines(_folder.File("flights.jsonl")), ["distance"], aggregates);
        Assert.Equal(reference.Records, result.Records);
        Assert.Equal(0, result.BadRecords.Count);
        var rows = ((GroupByResult)result.Value!).Rows;
        Assert.True(rows.Count > 100);
        Assert.Equal(reference.Rows.Select(r => r.ToString()), rows.Select(r => r.ToString()));
    }

    private static void AssertWordCount(string root, string file, long splitBytes)
    {
        var spec = new ComputeJobSpec { JobId = "real", Kind = "word-count", Input = new InputSpec { Path = file, TargetSplitBytes = splitBytes } };
        var result = Engine.Run(spec, root, new Random(5), shards: 2);
        var words = (WordCountResult)result.Value!;
        var expected = ReferenceText.WordCount([File.ReadAllBytes(Path.Combine(root, file))], lower: true, joinApostrophes: true);
        SplitEquivalenceTests.AssertSameCounts(expected, words.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal), file);
        Assert.True(words.DistinctWords > 1000);
    }
}
