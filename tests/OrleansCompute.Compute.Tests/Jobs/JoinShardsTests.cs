using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>The engine addition the job grain needs: joining the aggregators' shards back into one partial.</summary>
public sealed class JoinShardsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Joined_shards_finish_to_the_unsharded_result_and_shards_of_different_splits_are_refused()
    {
        var spec = JobInputs.WordCount(_folder, "join", seed: 9, wordsPerFile: 400, splitBytes: 512);
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var plan = new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { _folder.Path } })).Plan(spec.Input);
        var whole = runner.CreateEmpty();
        var shards = Enumerable.Range(0, 3).Select(_ => runner.CreateEmpty()).ToArray();
        foreach (var split in plan.Splits)
        {
            whole = runner.Merge(whole, runner.RunSplit(split));
            var cut = runner.Shard(runner.RunSplit(split), 3);
            for (var s = 0; s < 3; s++)
            {
                shards[s] = runner.Merge(shards[s], cut[s]);
            }
        }

        var expected = runner.Finish(whole);
        var joined = runner.JoinShards(shards);
        Assert.Equal(plan.Splits.Count, joined.SplitIds.Count);
        Assert.Equal(Wire.Serialize(expected), Wire.Serialize(runner.Finish(joined)));
        Assert.Empty(runner.JoinShards([]).SplitIds);

        var partialShard = runner.Shard(runner.RunSplit(plan.Splits[0]), 3)[1];
        Assert.Throws<InvalidOperationException>(() => runner.JoinShards([shards[0], partialShard]));
    }

    /// <summary>
    /// Word count joins shard results: each shard finished on its own and joined gives byte for byte what one
    /// Finish over everything gives, for the whole list and for top-k either way (ties on count broken by word).
    /// </summary>
    [Theory]
    [InlineData(null, true, 1)]
    [InlineData(null, true, 4)]
    [InlineData(5, true, 3)]
    [InlineData(1, true, 2)]
    [InlineData(7, false, 3)]
    [InlineData(100_000, false, 5)]
    public void Shards_finished_separately_and_joined_give_the_unsharded_result(int? k, bool descending, int shardCount)
    {
        var spec = JobInputs.WordCount(_folder, "join-results", seed: 21, wordsPerFile: 600, splitBytes: 700);
        spec.TopK = k is { } kk ? new TopKOptions { K = kk, OrderBy = "count", Descending = descending } : null;
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        Assert.True(runner.JoinsShardResults);
        var plan = new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { _folder.Path } })).Plan(spec.Input);
        var whole = runner.CreateEmpty();
        var shards = Enumerable.Range(0, shardCount).Select(_ => runner.CreateEmpty()).ToArray();
        foreach (var split in plan.Splits)
        {
            whole = runner.Merge(whole, runner.RunSplit(split));
            var cut = runner.Shard(runner.RunSplit(split), shardCount);
            for (var s = 0; s < shardCount; s++)
            {
                shards[s] = runner.Merge(shards[s], cut[s]);
            }
        }

        var expected = runner.Finish(whole);
        var joined = runner.JoinShardResults([.. shards.Select(runner.FinishShard)]);
        var words = ((WordCountResult)joined.Value!).Words;
        Assert.Equal(Math.Min(k ?? int.MaxValue, ((WordCountResult)expected.Value!).DistinctWords), words.Count);
        if (words.Count > 10)
        {
            Assert.Contains(words.Zip(words.Skip(1)), p => p.First.Count == p.Second.Count); // ties exist: the word order is exercised
        }
        Assert.Equal(Wire.Serialize(expected), Wire.Serialize(joined));
    }

    [Fact]
    public void Group_by_does_not_join_shard_results_and_says_so()
    {
        var spec = JobInputs.GroupBy(_folder, "gb-join", seed: 2);
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        Assert.False(runner.JoinsShardResults);
        Assert.Throws<NotSupportedException>(() => runner.FinishShard(runner.CreateEmpty()));
    }
}
