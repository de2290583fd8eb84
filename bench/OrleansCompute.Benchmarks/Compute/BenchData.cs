using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Benchmarks.Compute;

/// <summary>Locates the real data (fetched by bench/data/fetch.sh into .cache/data) and runs the engine the way a job would.</summary>
internal static class BenchData
{
    public static string Folder
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "OrleansCompute.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            var folder = Path.Combine(dir ?? Directory.GetCurrentDirectory(), ".cache", "data");
            return folder;
        }
    }

    public static string Require(string file)
    {
        var path = Path.Combine(Folder, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run bench/data/fetch.sh first.", path);
    }

    /// <summary>Plan, map every split, merge, finish: on one thread, or on <paramref name="threads"/> threads (one split each at a time).</summary>
    public static ComputeJobResult RunEngine(ComputeJobSpec spec, int threads = 1)
    {
        var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
        var plan = new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { Folder } })).Plan(spec.Input);
        var partials = new IComputePartial[plan.Splits.Count];
        if (threads == 1)
        {
            for (var i = 0; i < partials.Length; i++)
            {
                partials[i] = runner.RunSplit(plan.Splits[i]);
            }
        }
        else
        {
            Parallel.For(0, partials.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => partials[i] = runner.RunSplit(plan.Splits[i]));
        }

        var merged = runner.CreateEmpty();
        foreach (var partial in partials)
        {
            merged = runner.Merge(merged, partial);
        }

        return runner.Finish(merged);
    }
}
