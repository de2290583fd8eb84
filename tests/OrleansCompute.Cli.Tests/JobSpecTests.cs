using OrleansCompute.Cli;

namespace OrleansCompute.Cli.Tests;

public sealed class JobSpecTests
{
    [Theory]
    [InlineData("wordcount", "word-count")]
    [InlineData("word-count", "word-count")]
    [InlineData("Word_Count", "word-count")]
    [InlineData("groupby", "group-by")]
    [InlineData("topk", "top-k")]
    [InlineData("TOP-K", "top-k")]
    [InlineData("filter", "filter-count")]
    [InlineData("filter-count", "filter-count")]
    [InlineData("my-kind", "my-kind")]
    public void Kinds_as_users_type_them_map_to_the_api_names(string typed, string expected)
    {
        Assert.Equal(expected, JobSpec.NormalizeKind(typed));
    }

    [Fact]
    public void Group_by_options_become_keys_and_aggregates()
    {
        var spec = JobSpec.Build(new JobRunArguments
        {
            Kind = "topk", Input = "flights.csv", ServerPath = true, Format = "CSV",
            Keys = ["carrier", " origin "], Aggregates = ["count", "mean:delay", "SUM: amount"], Top = 5, OrderBy = "mean(delay)", Ascending = true,
        });

        Assert.Equal("top-k", spec.Kind);
        Assert.Equal("flights.csv", spec.Input.Path);
        Assert.Equal("csv", spec.Input.Format);
        Assert.Equal(["carrier", "origin"], spec.GroupBy!.Keys);
        Assert.Equal([("count", null), ("mean", "delay"), ("sum", "amount")], spec.GroupBy.Aggregates.Select(a => (a.Function, a.Column)));
        Assert.Equal(5, spec.TopK!.K);
        Assert.Equal("mean(delay)", spec.TopK.OrderBy);
        Assert.False(spec.TopK.Descending);
        Assert.Null(spec.Filter);
    }

    [Fact]
    public void Filter_defaults_to_ignoring_case_and_substring_mode()
    {
        var spec = JobSpec.Build(new JobRunArguments { Kind = "filter", Input = "a.txt", Pattern = "error" });
        Assert.Equal("filter-count", spec.Kind);
        Assert.Equal(("error", "substring", true), (spec.Filter!.Pattern, spec.Filter.Mode, spec.Filter.IgnoreCase));

        var strict = JobSpec.Build(new JobRunArguments { Kind = "filter", Input = "a.txt", Pattern = "^E", Regex = true, CaseSensitive = true });
        Assert.Equal(("regex", false), (strict.Filter!.Mode, strict.Filter.IgnoreCase));
    }

    [Fact]
    public void Word_count_with_top_and_split_size()
    {
        var spec = JobSpec.Build(new JobRunArguments { Kind = "wordcount", Input = "a.txt", Top = 3, SplitSize = "4m", Id = " j-1 " });
        Assert.Equal(3, spec.TopK!.K);
        Assert.Equal(4L << 20, spec.Input.SplitBytes);
        Assert.Equal("j-1", spec.Id);
        Assert.Null(spec.GroupBy);
    }

    [Fact]
    public void Existing_local_input_is_resolved_unless_server_path()
    {
        var resolved = JobSpec.Build(new JobRunArguments { Kind = "wordcount", Input = "x" }, p => "/abs/" + p);
        var verbatim = JobSpec.Build(new JobRunArguments { Kind = "wordcount", Input = "x", ServerPath = true }, p => "/abs/" + p);
        Assert.Equal("/abs/x", resolved.Input.Path);
        Assert.Equal("x", verbatim.Input.Path);
    }

    [Theory]
    [InlineData("groupby", null, null, null, "needs at least one --key")]
    [InlineData("filter", null, null, null, "needs --pattern")]
    [InlineData("wordcount", "carrier", null, null, "--key and --agg apply to groupby and topk")]
    [InlineData("wordcount", null, "err", null, "--pattern, --regex and --case-sensitive apply to filter")]
    [InlineData("groupby", "c", null, "median:x", "the function must be one of")]
    [InlineData("groupby", "c", null, "sum", "sum needs a column")]
    public void Bad_combinations_are_usage_errors(string kind, string? key, string? pattern, string? aggregate, string message)
    {
        var ex = Assert.Throws<UsageException>(() => JobSpec.Build(new JobRunArguments
        {
            Kind = kind, Input = "in", Keys = key is null ? [] : [key], Pattern = pattern, Aggregates = aggregate is null ? [] : [aggregate],
        }));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("")]
    public void Unknown_format_is_a_usage_error(string format)
    {
        Assert.Throws<UsageException>(() => JobSpec.Build(new JobRunArguments { Kind = "wordcount", Input = "a", Format = format }));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("64k", 65_536)]
    [InlineData("4M", 4_194_304)]
    [InlineData("1gb", 1_073_741_824)]
    public void Sizes_parse(string text, long expected) => Assert.Equal(expected, JobSpec.ParseSize(text));

    [Theory]
    [InlineData("0")]
    [InlineData("-1m")]
    [InlineData("1.5m")]
    [InlineData("m")]
    [InlineData("99999999999999g")]
    public void Bad_sizes_are_usage_errors(string text) => Assert.Throws<UsageException>(() => JobSpec.ParseSize(text));

    [Fact]
    public void Top_out_of_range_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => JobSpec.Build(new JobRunArguments { Kind = "wordcount", Input = "a", Top = 0 }));
    }
}
