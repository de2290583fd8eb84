using System.Text;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

/// <summary>
/// The whole-split fast paths (word count over text, CSV group-by) read through the reader they are given, so a
/// split of a remote input (a blob: its path is not a local file) maps like a local one. They used to open
/// <c>split.Path</c> themselves, which failed for <c>blob:container/name</c> splits.
/// </summary>
public sealed class FastPathReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The input's one split as planned locally, renamed to a path that exists nowhere locally, and a reader over the file.</summary>
    private (InputSplit Split, IRangeReader Reader) Remote(ComputeJobSpec spec, string file)
    {
        spec.Input.TargetSplitBytes = long.MaxValue;
        var split = new Grains.Compute.Inputs.SplitPlanner(new Grains.Compute.Inputs.InputResolver(new DataRootOptions { Roots = { _folder.Path } })).Plan(spec.Input).Splits.Single();
        split.Path = "blob:nowhere/" + Path.GetFileName(file);
        return (split, new FileRangeReader(file));
    }

    [Fact]
    public void Word_count_of_a_text_split_read_through_a_range_reader_gives_the_known_counts()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            text.Append(i % 4 == 0 ? "Gamma beta\n" : "alpha beta alpha\n");
        }

        var file = _folder.Write("words.txt", Encoding.UTF8.GetBytes(text.ToString()));
        var spec = new ComputeJobSpec { JobId = "fast-wc", Kind = "word-count", Input = new InputSpec { Path = "words.txt", Format = InputFormat.Text }, WordCount = new WordCountOptions() };
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var (split, reader) = Remote(spec, file);

        using (reader)
        {
            var result = (WordCountResult)runner.Finish(runner.RunSplit(split, reader)).Value!;
            Assert.Equal([("alpha", 600L), ("beta", 400L), ("gamma", 100L)], result.Words.Select(w => (w.Word, w.Count)));
        }
    }

    [Fact]
    public void Csv_group_by_of_a_split_read_through_a_range_reader_gives_the_known_sums()
    {
        var csv = new StringBuilder("k,v\n");
        for (var i = 0; i < 300; i++)
        {
            csv.Append(i % 3 == 0 ? "a" : "b").Append(',').Append(i).Append('\n');
        }

        var file = _folder.Write("rows.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        var spec = new ComputeJobSpec
        {
            JobId = "fast-gb",
            Kind = "group-by",
            Input = new InputSpec { Path = "rows.csv", Format = InputFormat.Csv },
            GroupBy = new GroupByOptions { KeyColumns = ["k"], Aggregates = [AggregateSpec.Of(AggregateFunction.Sum, "v")] },
        };
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var (split, reader) = Remote(spec, file);

        using var _ = reader;
        var rows = ((GroupByResult)runner.Finish(runner.RunSplit(split, reader)).Value!).Rows;

        var expectedA = Enumerable.Range(0, 300).Where(i => i % 3 == 0).Sum();
        var expectedB = Enumerable.Range(0, 300).Where(i => i % 3 != 0).Sum();
        Assert.Equal([("a", (decimal)expectedA), ("b", (decimal)expectedB)], rows.OrderBy(r => r.Key[0], StringComparer.Ordinal).Select(r => (r.Key[0], (decimal)r.Values[0]!)));
    }
}
