using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;
using StableHash = OrleansCompute.Grains.Compute.Jobs.StableHash;

namespace OrleansCompute.Compute.Tests;

public sealed class MergeTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private (IComputeJobRunner Runner, List<IComputePartial> Partials) RunSplits()
    {
        _folder.Write("t.txt", Generators.Text(new Random(3), 500));
        var spec = new ComputeJobSpec { JobId = "m", Kind = "word-count", Input = new InputSpec { Path = "t.txt", TargetSplitBytes = 97 } };
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var plan = new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { _folder.Path } })).Plan(spec.Input);
        return (runner, plan.Splits.Select(s => runner.RunSplit(s)).ToList());
    }

    private static Dictionary<string, long> Counts(ComputeJobResult result) =>
        ((WordCountResult)result.Value!).Words.ToDictionary(w => w.Word, w => w.Count);

    [Fact]
    public void The_ledger_merges_each_split_once_so_redelivered_partials_do_not_double_count()
    {
        var (runner, partials) = RunSplits();
        var expected = Counts(Engine.MergeAndFinish(runner, partials, null, 1));

        var (_, again) = RunSplits();
        var (_, third) = RunSplits();
        var ledger = new MergeLedger("m");
        var merged = runner.CreateEmpty();
        var deliveries = again.Concat(third).Concat(again.Take(3)).OrderBy(_ => Random.Shared.Next()).ToList();
        var accepted = 0;
        foreach (var partial in deliveries)
        {
            if (ledger.TryAdd(partial))
            {
                merged = runner.Merge(merged, partial);
                accepted++;
            }
        }

        Assert.Equal(partials.Count, accepted);
        Assert.Equal(partials.Count, ledger.MergedSplits.Count);
        Assert.Equal(expected, Counts(runner.Finish(merged)));
        Assert.Equal(partials.Count, runner.Finish(merged).Splits);
    }

    [Fact]
    public void The_ledger_restored_from_persisted_split_ids_still_refuses_them()
    {
        var ledger = new MergeLedger("m", [0, 1]);
        var (_, partials) = RunSplits();
        Assert.False(ledger.TryAdd(partials[0]));
        Assert.True(ledger.TryAdd(partials[2]));
    }

    [Fact]
    public void Partial_overlap_and_foreign_jobs_are_refused()
    {
        var (runner, partials) = RunSplits();
        var ledger = new MergeLedger("m");
        Assert.True(ledger.TryAdd(partials[0]));
        var combined = runner.Merge(partials[1], partials[0]);
        Assert.Contains("overlaps", Assert.Throws<InvalidOperationException>(() => ledger.TryAdd(combined)).Message, StringComparison.Ordinal);
        Assert.Contains("job 'other'", Assert.Throws<InvalidOperationException>(() => new MergeLedger("other").TryAdd(partials[2])).Message, StringComparison.Ordinal);

        // Merging the same split twice without a ledger is an error, not a silent double count.
        var (_, twice) = RunSplits();
        Assert.Throws<InvalidOperationException>(() => runner.Merge(combined, twice[0]));
    }

    [Fact]
    public void Merge_is_commutative_and_associative_across_orders_and_shards()
    {
        var (runner, partials) = RunSplits();
        var expected = Counts(Engine.MergeAndFinish(runner, partials, null, 1));
        for (var seed = 0; seed < 5; seed++)
        {
            var (r, p) = RunSplits();
            Assert.Equal(expected, Counts(Engine.MergeAndFinish(r, p, new Random(seed), shards: seed + 1)));
        }
    }

    [Fact]
    public void Shards_partition_keys_by_a_stable_hash_and_count_records_once()
    {
        var (runner, partials) = RunSplits();
        var shards = runner.Shard(partials[0], 4);
        Assert.Equal(partials[0].KeyCount, shards.Sum(s => s.KeyCount));
        Assert.Equal(partials[0].Records, shards.Sum(s => s.Records));
        Assert.All(shards, s => Assert.Equal(partials[0].SplitIds, s.SplitIds));
        Assert.All(shards, s => Assert.InRange(s.KeyCount, partials[0].KeyCount / 8, partials[0].KeyCount / 2)); // spread, not lumped
        var words = ((WordCountResult)runner.FinishShard(shards[2]).Value!).Words;
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.Equal(2, runner.GetShard(w.Word, 4)));

        // Fixed functions of the key, so every process cuts the same shards: word count hashes UTF-8 bytes, user kinds strings.
        Assert.Equal(-1239863286, Utf8CountTable.HashOf("hello"u8));
        Assert.Equal(Utf8CountTable.HashOf("a word longer than sixteen bytes"u8), Utf8CountTable.HashOf(System.Text.Encoding.UTF8.GetBytes("a word longer than sixteen bytes")));
        Assert.Equal(StableHash.Of("hello"), StableHash.Of("hello".AsSpan()));
        Assert.Equal(1335831723, StableHash.Of("hello"));
    }
}
