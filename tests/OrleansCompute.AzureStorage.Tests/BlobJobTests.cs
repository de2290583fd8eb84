using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Hosting;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>
/// Jobs over blob inputs on a 3-silo Orleans TestCluster (in-memory transport; each silo with its own blob source, as
/// separate machines would have; <see cref="OrleansComputeSiloBuilderExtensions.AddOrleansCompute"/> with memory grain
/// storage, nothing is killed): word count and group-by over data uploaded to Azurite give exactly the result of the
/// same job over the same bytes as local files, and the independent reference.
/// </summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class BlobJobTests(AzuriteServerFixture azurite) : IAsyncLifetime, IDisposable
{
    private TestData _data = null!;
    private readonly string _container = "jobs" + Guid.NewGuid().ToString("N")[..16];
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _data = new TestData();
        var builder = new TestClusterBuilder(3);
        builder.Properties[SiloConfigurator.DataRoot] = _data.Root;
        builder.Properties[SiloConfigurator.BlobConnectionString] = azurite.ConnectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    public void Dispose() => _data.Dispose();

    /// <summary>The product on each test silo, reading local inputs under the data root and blob inputs from Azurite.</summary>
    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public const string DataRoot = "OcxTests:DataRoot";
        public const string BlobConnectionString = "OcxTests:BlobConnectionString";

        public void Configure(ISiloBuilder siloBuilder)
        {
            var root = siloBuilder.Configuration[DataRoot]!;
            var blob = siloBuilder.Configuration[BlobConnectionString]!;
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.AddOrleansCompute(o =>
            {
                o.DataRoots.Add(root);
                o.BlobInputs = new BlobInputOptions { ConnectionString = blob };
                o.Jobs = new JobGrainOptions { MaxSplitsInFlight = 4, AggregatorCount = 3 };
            });
        }
    }

    [Fact]
    public async Task Word_count_over_blobs_equals_the_same_job_over_local_files_and_the_reference()
    {
        var rng = new Random(11);
        var texts = Enumerable.Range(0, 3).Select(_ => TestData.Text(rng, 4000)).ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            _data.Write($"wc/part-{i}.txt", texts[i]);
        }

        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(_data.Root, "wc"), $"{_container}/wc/");

        var local = await Run(WordCount("wc-local", "wc/*.txt"));
        var blob = await Run(WordCount("wc-blob", $"blob:{_container}/wc/"));
        var url = await Run(WordCount("wc-url", $"{azurite.Server.BlobEndpoint}/{_container}/wc/"));

        Assert.True(blob.Splits > 10, $"{blob.Splits} splits");
        AssertSame(local, blob);
        AssertSame(local, url);
        var reference = TestData.ReferenceWordCount(texts);
        var words = (WordCountResult)blob.Value!;
        Assert.Equal(reference.Count, words.Words.Count);
        Assert.All(words.Words, w => Assert.Equal(reference[w.Word], w.Count));
    }

    [Fact]
    public async Task Group_by_over_blob_csv_equals_the_same_job_over_local_files_and_the_reference()
    {
        var rng = new Random(12);
        var files = Enumerable.Range(0, 2).Select(_ => TestData.Csv(rng, 2500, bad: true)).ToList();
        for (var i = 0; i < files.Count; i++)
        {
            _data.Write($"gb/part-{i}.csv", files[i]);
        }

        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(_data.Root, "gb"), $"{_container}/gb");

        var local = await Run(GroupBy("gb-local", "gb/*.csv"));
        var blob = await Run(GroupBy("gb-blob", $"blob:{_container}/gb/"));

        Assert.True(blob.Splits > 10, $"{blob.Splits} splits");
        Assert.True(blob.BadRecords.Count > 0, "the generated CSV has bad records");
        AssertSame(local, blob);

        // Reference: parse the CSV with a plain state machine and aggregate with LINQ (good records only).
        var rows = files.SelectMany(ParseCsv).Where(r => long.TryParse(r[1], out _)).ToList();
        var expected = rows.GroupBy(r => r[0], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (decimal)g.Count(), (decimal)g.Sum(r => long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var result = (GroupByResult)blob.Value!;
        Assert.Equal(expected, result.Rows.Select(r => (r.Key[0]!, r.Values[0]!.Value, r.Values[1]!.Value)));
        Assert.Equal(files.SelectMany(ParseCsv).Count() - rows.Count, blob.BadRecords.Count);
    }

    [Fact]
    public async Task Hundreds_of_small_blobs_are_packed_into_a_few_splits_like_the_same_local_files()
    {
        // Issue 17: blobs go through the same planner, so small ones share splits too; each split reads its blobs one
        // ranged download after another, and the result is that of the local files.
        var rng = new Random(13);
        var texts = Enumerable.Range(0, 400).Select(_ => TestData.Text(rng, rng.Next(5, 60))).ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            _data.Write($"small/{i / 100}/doc-{i:D3}.txt", texts[i]);
        }

        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(_data.Root, "small"), $"{_container}/small/");

        var local = await Run(WordCount("small-local", "small", splitBytes: 64L << 20));
        var blob = await Run(WordCount("small-blob", $"blob:{_container}/small/", splitBytes: 64L << 20));
        Assert.InRange(blob.Splits, 1, 4 * Environment.ProcessorCount); // not 400
        AssertSame(local, blob);
        var reference = TestData.ReferenceWordCount(texts);
        var words = (WordCountResult)blob.Value!;
        Assert.Equal(reference.Count, words.Words.Count);
        Assert.All(words.Words, w => Assert.Equal(reference[w.Word], w.Count));
    }

    private static ComputeJobSpec WordCount(string jobId, string path, long splitBytes = 2048) => new()
    {
        JobId = jobId,
        Kind = "word-count",
        Input = new InputSpec { Path = path, TargetSplitBytes = splitBytes },
        WordCount = new WordCountOptions(),
    };

    private static ComputeJobSpec GroupBy(string jobId, string path) => new()
    {
        JobId = jobId,
        Kind = "group-by",
        Input = new InputSpec { Path = path, Format = InputFormat.Csv, TargetSplitBytes = 4096 },
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

    private async Task<ComputeJobResult> Run(ComputeJobSpec spec)
    {
        var job = _cluster.Client.GetGrain<IJobGrain>(spec.JobId);
        await job.Submit(spec);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var status = await job.GetStatus();
            if (status.State is JobState.Completed or JobState.Failed or JobState.Cancelled)
            {
                Assert.True(status.State == JobState.Completed, $"{spec.JobId}: {status.State} {status.Error}");
                return (await job.GetResult())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {spec.JobId} did not finish in time");
            await Task.Delay(100);
        }
    }

    /// <summary>Same records, splits, value, and bad records (counts, offsets and reasons; paths differ by design).</summary>
    private static void AssertSame(ComputeJobResult expected, ComputeJobResult actual)
    {
        Assert.Equal(expected.Records, actual.Records);
        Assert.Equal(expected.Splits, actual.Splits);
        Assert.Equal(OrleansBytes.Of(expected.Value), OrleansBytes.Of(actual.Value));
        Assert.Equal(expected.BadRecords.Count, actual.BadRecords.Count);
        Assert.Equal(
            expected.BadRecords.Samples.Select(s => (Path.GetFileName(s.Path), s.Offset, s.Reason)),
            actual.BadRecords.Samples.Select(s => (s.Path[(s.Path.LastIndexOf('/') + 1)..], s.Offset, s.Reason)));
    }

    private static IEnumerable<string[]> ParseCsv(string text)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        var header = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                if (!header)
                {
                    yield return [.. fields];
                }

                header = false;
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
    }
}
