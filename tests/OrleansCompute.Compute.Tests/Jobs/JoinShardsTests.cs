using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Serialization;

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
        Assert.Equal(Serializer.Serialize(expected), Serializer.Serialize(runner.Finish(joined)));
        Assert.Empty(runner.JoinShards([]).SplitIds);

        var partialShard = runner.Shard(runner.RunSplit(plan.Splits[0]), 3)[1];
        Assert.Throws<InvalidOperationException>(() => runner.JoinShards([shards[0], partialShard]));
    }
}
