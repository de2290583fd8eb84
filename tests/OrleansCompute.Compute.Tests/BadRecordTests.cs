using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Compute.Tests;

public sealed class BadRecordTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ComputeJobSpec Spec(string file, RejectionPolicy rejection, InputFormat format = InputFormat.Csv) => new()
    {
        JobId = "job-7",
        Kind = "group-by",
        Input = new InputSpec { Path = file, Format = format, TargetSplitBytes = 16 },
        GroupBy = new GroupByOptions { KeyColumns = ["k"], Aggregates = [AggregateSpec.Of(AggregateFunction.Sum, "v")] },
        Rejection = rejection,
    };

    [Fact]
    public void Bad_records_are_counted_and_the_first_are_sampled_with_file_offset_and_reason()
    {
        var content = "k,v\na,1\nb,oops\nc,2,3\n\"d\"x,4\na,5\n\"open,6";
        var path = _folder.Write("bad.csv", System.Text.Encoding.UTF8.GetBytes(content));
        var result = Engine.Run(Spec("bad.csv", new RejectionPolicy { MaxSamples = 3 }), _folder.Path, new Random(1));

        Assert.Equal(6, result.Records);
        Assert.Equal(4, result.BadRecords.Count);
        Assert.Equal(3, result.BadRecords.Samples.Count);
        Assert.All(result.BadRecords.Samples, s => Assert.Equal(path, s.Path));
        Assert.Equal([content.IndexOf("b,oops", StringComparison.Ordinal), content.IndexOf("c,2,3", StringComparison.Ordinal), content.IndexOf("\"d\"x", StringComparison.Ordinal)], result.BadRecords.Samples.Select(s => (int)s.Offset));
        Assert.Contains("'oops' is not a number", result.BadRecords.Samples[0].Reason, StringComparison.Ordinal);
        Assert.Contains("expected 2 fields, found 3", result.BadRecords.Samples[1].Reason, StringComparison.Ordinal);
        Assert.Contains("after the closing quote", result.BadRecords.Samples[2].Reason, StringComparison.Ordinal);

        var rows = ((GroupByResult)result.Value!).Rows;
        Assert.Equal("a", Assert.Single(rows.Single().Key));
        Assert.Equal(6m, rows.Single().Values[0]);
    }

    [Fact]
    public void Invalid_json_lines_are_bad_records_not_failures()
    {
        _folder.Write("bad.jsonl", "{\"k\":\"a\",\"v\":1}\n{\"k\":\n[1]\n{\"v\":2}\n{\"k\":\"a\",\"v\":{\"x\":1}}\n{\"k\":\"a\",\"v\":\"2.5\"}\n"u8.ToArray());
        var result = Engine.Run(Spec("bad.jsonl", new RejectionPolicy(), InputFormat.JsonLines), _folder.Path);
        Assert.Equal(6, result.Records);
        Assert.Equal(4, result.BadRecords.Count);
        Assert.StartsWith("invalid JSON", result.BadRecords.Samples[0].Reason, StringComparison.Ordinal);
        Assert.Contains("key column 'k' is missing", result.BadRecords.Samples[2].Reason, StringComparison.Ordinal);
        Assert.Contains("object or array", result.BadRecords.Samples[3].Reason, StringComparison.Ordinal);
        Assert.Equal(3.5m, ((GroupByResult)result.Value!).Rows.Single().Values[0]);
    }

    [Fact]
    public void Exceeding_the_bad_record_count_fails_the_job_with_a_clear_message()
    {
        _folder.Write("bad.csv", "k,v\na,1\nb,x\nc,y\nd,4\n"u8.ToArray());
        var e = Assert.Throws<BadRecordThresholdExceededException>(() => Engine.Run(Spec("bad.csv", new RejectionPolicy { MaxBadRecords = 1 }), _folder.Path));
        Assert.Contains("Job 'job-7' failed: 2 bad records out of 4 read", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBadRecords", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x' is not a number", e.Message, StringComparison.Ordinal);

        var ok = Engine.Run(Spec("bad.csv", new RejectionPolicy { MaxBadRecords = 2 }), _folder.Path);
        Assert.Equal(2, ok.BadRecords.Count);
    }

    [Fact]
    public void Exceeding_the_bad_record_fraction_fails_the_job()
    {
        _folder.Write("bad.csv", "k,v\na,1\nb,x\nc,3\nd,4\n"u8.ToArray());
        var e = Assert.Throws<BadRecordThresholdExceededException>(() => Engine.Run(Spec("bad.csv", new RejectionPolicy { MaxBadFraction = 0.2 }), _folder.Path));
        Assert.Contains("MaxBadFraction", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Engine.Run(Spec("bad.csv", new RejectionPolicy { MaxBadFraction = 0.25 }), _folder.Path).BadRecords.Count);
    }

    [Fact]
    public void A_progress_check_on_a_partial_fails_early()
    {
        _folder.Write("bad.csv", "k,v\nb,x\nc,y\n"u8.ToArray());
        var spec = Spec("bad.csv", new RejectionPolicy { MaxBadRecords = 0 });
        spec.Input.TargetSplitBytes = long.MaxValue;
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var plan = new Grains.Compute.Inputs.SplitPlanner(new Grains.Compute.Inputs.InputResolver(new DataRootOptions { Roots = { _folder.Path } })).Plan(spec.Input);
        var partial = runner.RunSplit(plan.Splits.Single());
        Assert.Equal(2, partial.BadRecords.Count);
        Assert.Throws<BadRecordThresholdExceededException>(() => runner.CheckRejection(partial));
    }

    [Fact]
    public void Merged_samples_are_the_first_in_file_order_whatever_the_merge_order()
    {
        var lines = new System.Text.StringBuilder("k,v\n");
        for (var i = 0; i < 200; i++)
        {
            lines.Append(i % 7 == 0 ? $"k{i},bad{i}\n" : $"k{i},{i}\n");
        }

        _folder.Write("many.csv", System.Text.Encoding.UTF8.GetBytes(lines.ToString()));
        var expected = Engine.Run(Spec("many.csv", new RejectionPolicy { MaxSamples = 5 }), _folder.Path).BadRecords;
        Assert.Equal(29, expected.Count);
        Assert.Equal(["bad0", "bad7", "bad14", "bad21", "bad28"], expected.Samples.Select(s => s.Reason.Split('\'')[3]));
        for (var seed = 0; seed < 10; seed++)
        {
            var actual = Engine.Run(Spec("many.csv", new RejectionPolicy { MaxSamples = 5 }), _folder.Path, new Random(seed)).BadRecords;
            Assert.Equal(expected.Samples.Select(s => s.Offset), actual.Samples.Select(s => s.Offset));
        }
    }
}
