using System.Diagnostics;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// Real data (the repository's <c>.cache/data</c>, see shared/design/DATA.md) read from local files and from Azurite by
/// the engine on one thread, in the same run: prints plan and total times and the bytes fetched, and checks both give
/// the same result. Category=Long: not in the default run. Command:
/// <c>dotnet test tests/OrleansCompute.AzureStorage.Tests -c Release -p:LongTests=true --filter Category=Long --logger "console;verbosity=detailed"</c>
/// </summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class BlobReadMeasurement(AzuriteServerFixture azurite, ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task Real_data_read_from_blobs_gives_the_local_result_with_times_printed()
    {
        var data = DataFolder();
        var container = "bench" + Guid.NewGuid().ToString("N")[..8];
        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(data, "sotu.txt"), $"{container}/sotu.txt");
        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(data, "flights-3m.csv"), $"{container}/flights-3m.csv");
        using var source = new BlobInputSource(new BlobInputOptions { ConnectionString = azurite.ConnectionString });
        var roots = new DataRootOptions { Roots = { data } };
        var registry = ComputeJobRegistry.CreateDefault();
        foreach (var (name, file, format, kind) in new[]
        {
            ("word count sotu.txt", "sotu.txt", InputFormat.Text, "word-count"),
            ("group-by origin flights-3m.csv", "flights-3m.csv", InputFormat.Csv, "group-by"),
        })
        {
            for (var round = 0; round < 3; round++)
            {
                var results = new List<byte[]>();
                foreach (var (label, path) in new[] { ("local", file), ("blob", $"blob:{container}/{file}") })
                {
                    var spec = new ComputeJobSpec
                    {
                        JobId = "m",
                        Kind = kind,
                        Input = new InputSpec { Path = path, Format = format, TargetSplitBytes = 16L << 20 },
                        WordCount = new WordCountOptions(),
                        GroupBy = new GroupByOptions { KeyColumns = ["origin"], Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay")] },
                    };
                    var runner = registry.CreateRunner(spec);
                    var before = source.BytesFetched;
                    var watch = Stopwatch.StartNew();
                    var plan = InputSources.Plan(spec.Input, roots, [source]);
                    var planTime = watch.Elapsed;
                    var merged = runner.CreateEmpty();
                    foreach (var split in plan.Splits)
                    {
                        var owner = InputSources.Find([source], split.Path);
                        merged = runner.Merge(merged, owner is null ? runner.RunSplit(split) : runner.RunSplit(split, owner.Open(split.Path, split.Start, split.End)));
                    }

                    var result = runner.Finish(merged);
                    results.Add(OrleansBytes.Of(result.Value));
                    output.WriteLine($"{name} {label}: plan {planTime.TotalSeconds:F2} s, total {watch.Elapsed.TotalSeconds:F2} s, {plan.Splits.Count} splits, "
                        + $"{result.Records} records, fetched {(source.BytesFetched - before) / 1e6:F1} MB of {plan.TotalBytes / 1e6:F1} MB");
                }

                Assert.Equal(results[0], results[1]);
            }
        }
    }

    private static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansCompute.sln")))
            {
                var data = Path.Combine(dir.FullName, ".cache", "data");
                return File.Exists(Path.Combine(data, "flights-3m.csv")) && File.Exists(Path.Combine(data, "sotu.txt"))
                    ? data
                    : throw new InvalidOperationException($"{data} needs sotu.txt and flights-3m.csv (see shared/design/DATA.md).");
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
