using System.Text;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Inputs.Blob;
using OrleansCompute.Grains.Compute.Reading;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.AzureStorage.Tests;

/// <summary>Blob inputs: naming (blob:container/prefix and URLs), planning, and ranged reads that fetch only a split's own bytes.</summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class BlobInputSourceTests(AzuriteServerFixture azurite) : IDisposable
{
    private readonly TestData _data = new();
    private readonly string _container = "in" + Guid.NewGuid().ToString("N")[..16];

    public void Dispose() => _data.Dispose();

    private BlobInputSource Source(int lookahead = 64 * 1024) => new(new BlobInputOptions { ConnectionString = azurite.ConnectionString, LookaheadBytes = lookahead });

    [Fact]
    public async Task A_prefix_names_every_blob_below_it_an_exact_name_only_that_blob_and_urls_work_like_blob_paths()
    {
        _data.Write("up/logs/a.txt", "a\n");
        _data.Write("up/logs/b/c.txt", "bc\n");
        _data.Write("up/logs2.txt", "x\n");
        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(_data.Root, "up"), $"{_container}/");
        using var source = Source();

        Assert.Equal([$"blob:{_container}/logs/a.txt", $"blob:{_container}/logs/b/c.txt"], source.Resolve($"blob:{_container}/logs/").Select(f => f.Path));
        Assert.Equal(3, source.Resolve($"blob:{_container}/logs").Count); // a plain prefix: logs2.txt too
        var exact = Assert.Single(source.Resolve($"blob:{_container}/logs/a.txt"));
        Assert.Equal(2, exact.Length);
        Assert.Equal(
            source.Resolve($"blob:{_container}/logs/").Select(f => f.Path),
            source.Resolve($"{azurite.Server.BlobEndpoint}/{_container}/logs/").Select(f => f.Path));
        Assert.True(source.Owns("blob:x/y") && source.Owns("https://acct.blob.core.windows.net/c/p") && !source.Owns("/data/x.txt"));
    }

    [Fact]
    public async Task Bad_blob_inputs_fail_with_clear_messages()
    {
        _data.Write("some.txt", "x\n");
        await TestData.UploadAsync(azurite.ConnectionString, Path.Combine(_data.Root, "some.txt"), $"{_container}/some.txt");
        using var source = Source();

        Assert.Contains("matched no blobs", Assert.Throws<ComputeInputException>(() => source.Resolve($"blob:{_container}/none")).Message, StringComparison.Ordinal);
        Assert.Contains("ContainerNotFound", Assert.Throws<ComputeInputException>(() => source.Resolve("blob:no-such-container/p")).Message, StringComparison.Ordinal);
        Assert.Contains("not in the configured blob account", Assert.Throws<ComputeInputException>(() => source.Resolve("https://other.blob.core.windows.net/c1/p")).Message, StringComparison.Ordinal);
        Assert.Contains("not a blob container name", Assert.Throws<ComputeInputException>(() => source.Resolve("blob:Bad_Name/p")).Message, StringComparison.Ordinal);
        var noSource = Assert.Throws<ComputeInputException>(() => InputSources.Plan(new InputSpec { Path = "blob:c1/p" }, new DataRootOptions(), []));
        Assert.Contains("OrleansCompute:Compute:Blob:ConnectionString", noSource.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_split_fetches_its_own_bytes_one_byte_before_and_a_small_lookahead_and_all_splits_see_every_record_once()
    {
        var rng = new Random(5);
        var lines = Enumerable.Range(0, 3000).Select(i => $"{i}:" + new string('x', rng.Next(0, 120))).ToList();
        var text = string.Join("\n", lines) + "\n";
        var file = _data.Write("ranges/data.txt", text);
        await TestData.UploadAsync(azurite.ConnectionString, file, $"{_container}/ranges/data.txt");
        using var source = Source(lookahead: 256);
        var spec = new InputSpec { Path = $"blob:{_container}/ranges/", TargetSplitBytes = 16 * 1024 };

        var plan = InputSources.Plan(spec, new DataRootOptions(), [source]);

        Assert.Equal(Encoding.UTF8.GetByteCount(text), plan.TotalBytes);
        Assert.True(plan.Splits.Count > 10, $"{plan.Splits.Count} splits");
        var seen = new List<string>();
        foreach (var split in plan.Splits)
        {
            var before = source.BytesFetched;
            using (var reader = new SplitRecordReader(source.Open(split.Path, split.Start, split.End), split.Start, split.End, csvQuotes: false))
            {
                while (reader.TryRead(out var record, out _))
                {
                    seen.Add(Encoding.UTF8.GetString(record));
                }
            }

            var fetched = source.BytesFetched - before;
            var own = split.End - split.Start;
            Assert.True(fetched >= own, $"split {split.SplitId} fetched {fetched} of its {own} bytes");
            Assert.True(fetched <= own + 1 + 256, $"split {split.SplitId} fetched {fetched} bytes for a {own}-byte range");
        }

        Assert.Equal(lines, seen);
    }

    [Fact]
    public async Task Csv_over_blobs_is_planned_at_record_starts_like_the_same_local_file()
    {
        var csv = TestData.Csv(new Random(9), 1500, bad: false);
        var file = _data.Write("csv/x.csv", csv);
        await TestData.UploadAsync(azurite.ConnectionString, file, $"{_container}/csv/x.csv");
        using var source = Source();
        var spec = new InputSpec { Path = $"blob:{_container}/csv/x.csv", Format = InputFormat.Csv, TargetSplitBytes = 2000 };

        var blobPlan = InputSources.Plan(spec, new DataRootOptions(), [source]);
        var localPlan = InputSources.Plan(new InputSpec { Path = "csv/x.csv", Format = InputFormat.Csv, TargetSplitBytes = 2000 }, new DataRootOptions { Roots = { _data.Root } }, [source]);

        Assert.Equal(localPlan.Splits.Select(s => (s.Start, s.End, s.FieldCount)), blobPlan.Splits.Select(s => (s.Start, s.End, s.FieldCount)));
        Assert.Equal(["k1", "v1", "v2", "note"], blobPlan.Splits[0].Header!);
    }
}
