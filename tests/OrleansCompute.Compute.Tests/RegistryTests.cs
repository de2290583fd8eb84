using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Compute.Reading;

namespace OrleansCompute.Compute.Tests;

public sealed class RegistryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A user kind: the longest line per first character, and lines that start with '#' are rejected.</summary>
    private sealed class LongestLineJob : ComputeJob<string, int, Dictionary<string, int>>
    {
        public override void Map(in ComputeRecord record, Combiner<string, int> output)
        {
            if (record.Bytes.IsEmpty)
            {
                return;
            }

            if (record.Bytes[0] == (byte)'#')
            {
                output.Reject("comment lines are not data");
                return;
            }

            output.Emit(((char)record.Bytes[0]).ToString(), record.Bytes.Length);
        }

        public override int Combine(int accumulated, int value) => Math.Max(accumulated, value);

        public override Dictionary<string, int> Finish(ComputePartial<string, int> merged) => new(merged.Entries);
    }

    /// <summary>A user kind that reads one column twice.</summary>
    private sealed class TwiceColumnJob : ComputeJob<string, int, int>
    {
        public override IReadOnlyList<string> Columns => ["a", "b", "a"];

        public override void Map(in ComputeRecord record, Combiner<string, int> output) => output.Emit("x", 1);

        public override int Combine(int accumulated, int value) => accumulated + value;

        public override int Finish(ComputePartial<string, int> merged) => merged.Entries.Count;
    }

    [Fact]
    public void A_user_kind_listing_a_column_twice_is_refused_with_the_column_named()
    {
        var registry = ComputeJobRegistry.CreateDefault().Register<string, int, int>("twice", _ => new TwiceColumnJob());
        var spec = new ComputeJobSpec { JobId = "t", Kind = "twice", Input = new InputSpec { Path = "x.csv", Format = InputFormat.Csv } };
        var error = Assert.Throws<ArgumentException>(() => registry.CreateRunner(spec));
        Assert.Contains("column 'a' twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_kind_registered_by_name_runs_through_the_same_engine()
    {
        _folder.Write("in.txt", "apple\navocado\n# skip me\nbanana\nbe\n"u8.ToArray());
        var registry = ComputeJobRegistry.CreateDefault().Register("longest-line", _ => new LongestLineJob());
        var spec = new ComputeJobSpec { JobId = "u", Kind = "Longest-Line", Input = new InputSpec { Path = "in.txt", TargetSplitBytes = 5 } };
        var result = Engine.Run(spec, _folder.Path, new Random(2), registry: registry);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 7, ["b"] = 6 }, (Dictionary<string, int>)result.Value!);
        Assert.Equal(1, result.BadRecords.Count);
        Assert.Equal("comment lines are not data", result.BadRecords.Samples[0].Reason);
        Assert.Equal(5, result.Records);
    }

    [Fact]
    public void Unknown_kinds_duplicates_and_bad_options_have_clear_messages()
    {
        var registry = ComputeJobRegistry.CreateDefault();
        Assert.Equal(["filter-count", "group-by", "top-k", "word-count"], registry.Names.Order(StringComparer.Ordinal));
        var unknown = Assert.Throws<ArgumentException>(() => registry.CreateRunner(new ComputeJobSpec { Kind = "sort" }));
        Assert.Contains("Unknown job kind 'sort'. Registered kinds: filter-count, group-by, top-k, word-count", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => registry.Register("WORD-COUNT", _ => new LongestLineJob()));
        Assert.Contains("needs GroupBy options", Assert.Throws<ArgumentException>(() => registry.CreateRunner(new ComputeJobSpec { Kind = "group-by" })).Message, StringComparison.Ordinal);
        var textGroupBy = new ComputeJobSpec { Kind = "group-by", GroupBy = new GroupByOptions { KeyColumns = ["k"] } };
        Assert.Contains("must be Csv or JsonLines", Assert.Throws<ArgumentException>(() => registry.CreateRunner(textGroupBy)).Message, StringComparison.Ordinal);
        var badTopK = new ComputeJobSpec { Kind = "top-k", Input = new InputSpec { Format = InputFormat.Csv }, GroupBy = new GroupByOptions { KeyColumns = ["k"] }, TopK = new TopKOptions { OrderBy = "sum(x)" } };
        Assert.Contains("not one of the aggregates (count)", Assert.Throws<ArgumentException>(() => registry.CreateRunner(badTopK)).Message, StringComparison.Ordinal);
        var badRegex = new ComputeJobSpec { Kind = "filter-count", Filter = new FilterOptions { Pattern = "(", Mode = FilterMode.Regex } };
        Assert.Contains("not a valid regular expression", Assert.Throws<ArgumentException>(() => registry.CreateRunner(badRegex)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_missing_from_the_csv_header_names_the_columns_there_are()
    {
        _folder.Write("h.csv", "a,b\n1,2\n"u8.ToArray());
        var spec = new ComputeJobSpec
        {
            Kind = "group-by",
            Input = new InputSpec { Path = "h.csv", Format = InputFormat.Csv },
            GroupBy = new GroupByOptions { KeyColumns = ["c"] },
        };
        var e = Assert.Throws<ComputeInputException>(() => Engine.Run(spec, _folder.Path));
        Assert.Contains("Column 'c' is not in the header", e.Message, StringComparison.Ordinal);
        Assert.Contains("(columns: a, b)", e.Message, StringComparison.Ordinal);
    }
}
