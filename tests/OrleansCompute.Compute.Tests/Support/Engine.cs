using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Compute.Tests.Support;

/// <summary>Drives the engine as the grains will: plan, run every split, merge the partials in a random tree order, finish.</summary>
public static class Engine
{
    public static ComputeJobResult Run(ComputeJobSpec spec, string root, Random? shuffle = null, int shards = 1, ComputeJobRegistry? registry = null) =>
        Run(spec, root, Plan(spec.Input, root), shuffle, shards, registry);

    /// <summary>Runs the job over a given plan (e.g. one packed with another open cost).</summary>
    public static ComputeJobResult Run(ComputeJobSpec spec, string root, SplitPlan plan, Random? shuffle = null, int shards = 1, ComputeJobRegistry? registry = null)
    {
        _ = root;
        var runner = (registry ?? ComputeJobRegistry.CreateDefault()).CreateRunner(spec);
        var partials = plan.Splits.Select(s => runner.RunSplit(s)).ToList();
        return MergeAndFinish(runner, partials, shuffle, shards);
    }

    /// <summary>The planner's plan of <paramref name="input"/> under <paramref name="root"/>, small files packed with <paramref name="fileOpenCostBytes"/> (default: the planner's).</summary>
    public static SplitPlan Plan(InputSpec input, string root, long? fileOpenCostBytes = null)
    {
        var files = new InputResolver(new DataRootOptions { Roots = { root } }).Resolve(input.Path);
        return fileOpenCostBytes is { } cost
            ? SplitPlanner.Plan(files, input, static f => new Grains.Compute.Reading.FileRangeReader(f.Path), cost)
            : new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { root } })).Plan(input);
    }

    public static ComputeJobResult MergeAndFinish(IComputeJobRunner runner, List<IComputePartial> partials, Random? shuffle, int shards)
    {
        if (shards > 1)
        {
            // As the aggregators will: every partial is cut into shards, each shard merged separately, then the shards joined.
            var perShard = Enumerable.Range(0, shards).Select(_ => new List<IComputePartial>()).ToList();
            foreach (var partial in partials)
            {
                var cut = runner.Shard(partial, shards);
                for (var s = 0; s < shards; s++)
                {
                    perShard[s].Add(cut[s]);
                }
            }

            var merged = perShard.Select(list => MergeAll(runner, list, shuffle)).ToList();
            var total = runner.CreateEmpty();
            var result = merged[0];
            for (var s = 1; s < shards; s++)
            {
                // Shards cover the same splits with disjoint keys: join their entries through a fresh partial each.
                result = JoinShard(runner, result, merged[s]);
            }

            return runner.Finish(result);
        }

        return runner.Finish(MergeAll(runner, partials, shuffle));
    }

    private static IComputePartial MergeAll(IComputeJobRunner runner, List<IComputePartial> partials, Random? shuffle)
    {
        var pool = new List<IComputePartial>(partials);
        if (pool.Count == 0)
        {
            return runner.CreateEmpty();
        }

        while (pool.Count > 1)
        {
            var i = shuffle?.Next(pool.Count) ?? 0;
            var a = pool[i];
            pool.RemoveAt(i);
            var j = shuffle?.Next(pool.Count) ?? 0;
            var b = pool[j];
            pool.RemoveAt(j);
            pool.Add(runner.Merge(a, b));
        }

        return pool[0];
    }

    private static IComputePartial JoinShard(IComputeJobRunner runner, IComputePartial a, IComputePartial b)
    {
        // The split ids are the same in every shard; give the second shard's copy none so the merge accepts it.
        dynamic second = b;
        second.SplitIds = new List<int>();
        return runner.Merge(a, b);
    }
}
