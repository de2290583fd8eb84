using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansCompute.Benchmarks.Compute;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary><c>engine-profile</c>: where the engine's time goes for the batch jobs (plan, each split's map, merge, shard, finish), one thread.</summary>
internal static class EngineProfile
{
    public static int Run(int rounds, string? kind = null)
    {
        var jobs = new[]
        {
            new ComputeJobSpec { JobId = "p", Kind = "word-count", Input = new InputSpec { Path = "gcide.txt", TargetSplitBytes = 10 << 20 } },
            new ComputeJobSpec
            {
                JobId = "p",
                Kind = "group-by",
                Input = new InputSpec { Path = "flights-3m.csv", Format = InputFormat.Csv, TargetSplitBytes = 27 << 20 },
                GroupBy = new GroupByOptions { KeyColumns = ["origin"], Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay"), AggregateSpec.Of(AggregateFunction.Max, "distance")] },
            },
        };
        using var services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(ComputeJobResult).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var spec in jobs)
            {
                if (kind is not null && spec.Kind != kind)
                {
                    continue;
                }

                var baselineWatch = Stopwatch.StartNew();
                var baselineCount = spec.Kind == "group-by" ? GroupByBenchmarks.Baseline(BenchData.Require("flights-3m.csv")).Count : -1;
                var baselineMs = baselineWatch.Elapsed.TotalMilliseconds;

                var runner = ComputeJobRegistry.CreateDefault().CreateRunner(spec);
                var watch = Stopwatch.StartNew();
                var plan = new SplitPlanner(new InputResolver(new DataRootOptions { Roots = { BenchData.Folder } })).Plan(spec.Input);
                var planMs = watch.Elapsed.TotalMilliseconds;
                var maps = new List<double>();
                var partials = new List<IComputePartial>();
                foreach (var split in plan.Splits)
                {
                    watch.Restart();
                    partials.Add(runner.RunSplit(split));
                    maps.Add(watch.Elapsed.TotalMilliseconds);
                }

                watch.Restart();
                var shards = partials.Select(p => runner.Shard(p, 4)).ToList();
                var shardMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var merged = Enumerable.Range(0, 4).Select(s => shards.Aggregate(runner.CreateEmpty(), (acc, sh) => runner.Merge(acc, sh[s]))).ToList();
                var mergeMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var joined = runner.JoinShards(merged);
                var joinMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var result = runner.Finish(joined);
                var finishMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var bytes = serializer.SerializeToArray(result);
                var serializeMs = watch.Elapsed.TotalMilliseconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{spec.Kind}: {(baselineCount >= 0 ? $"hand-written {baselineMs:F0} ms; " : "")}plan {planMs:F0} ms; map {string.Join(" + ", maps.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))} ms (keys {string.Join("/", partials.Select(p => p.KeyCount))}); shard {shardMs:F0}; merge {mergeMs:F0}; join {joinMs:F0}; finish {finishMs:F0}; serialize result {serializeMs:F0} ms ({bytes.Length:N0} B)"));
            }
        }

        return 0;
    }
}
