using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>Generated inputs and specs for the job tests, and the engine's own answer to compare with.</summary>
public static class JobInputs
{
    public static ComputeJobSpec WordCount(TempFolder folder, string jobId, int seed, int wordsPerFile = 3000, long splitBytes = 2048, string kind = "word-count")
    {
        var rng = new Random(seed);
        for (var f = 0; f < 3; f++)
        {
            folder.Write($"{jobId}/part-{f}.txt", Generators.Text(rng, wordsPerFile));
        }

        return new ComputeJobSpec
        {
            JobId = jobId,
            Kind = kind,
            Input = new InputSpec { Path = $"{jobId}/*.txt", TargetSplitBytes = splitBytes },
            WordCount = new WordCountOptions(),
            Parameters = { ["delayMs"] = "1" },
        };
    }

    public static ComputeJobSpec GroupBy(TempFolder folder, string jobId, int seed)
    {
        var rng = new Random(seed);
        for (var f = 0; f < 2; f++)
        {
            folder.Write($"{jobId}/part-{f}.csv", Generators.Csv(rng, 2000));
        }

        return new ComputeJobSpec
        {
            JobId = jobId,
            Kind = "group-by",
            Input = new InputSpec { Path = $"{jobId}/*.csv", Format = InputFormat.Csv, TargetSplitBytes = 4096 },
            GroupBy = new GroupByOptions
            {
                KeyColumns = ["k1"],
                Aggregates =
                [
                    AggregateSpec.Of(AggregateFunction.Count),
                    AggregateSpec.Of(AggregateFunction.Sum, "v1"),
                    AggregateSpec.Of(AggregateFunction.Min, "v1"),
                    AggregateSpec.Of(AggregateFunction.Max, "v2"),
                    AggregateSpec.Of(AggregateFunction.Mean, "v2"),
                ],
            },
            Rejection = new RejectionPolicy { MaxSamples = 5 },
        };
    }

    /// <summary>The engine run in-process on one thread (as word-count for the slow kind, whose answer is the same).</summary>
    public static ComputeJobResult Expected(ComputeJobSpec spec, string root)
    {
        var copy = Wire.Deserialize<ComputeJobSpec>(Wire.Serialize(spec));
        if (copy.Kind == SlowWordCountJob.Kind)
        {
            copy.Kind = "word-count";
        }

        return Engine.Run(copy, root, shards: 3);
    }

    /// <summary>Exact equality of what was read, the bad records and the kind's value (compared in the wire format).</summary>
    public static void AssertSameResult(ComputeJobResult expected, ComputeJobResult? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.JobId, actual.JobId);
        Assert.Equal(expected.Records, actual.Records);
        Assert.Equal(expected.Splits, actual.Splits);
        Assert.Equal(Wire.Serialize(expected.BadRecords), Wire.Serialize(actual.BadRecords));
        Assert.Equal(Wire.Serialize(expected.Value), Wire.Serialize(actual.Value));
    }
}
