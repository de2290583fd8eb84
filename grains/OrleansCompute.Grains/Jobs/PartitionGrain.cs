using Orleans;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Placement;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Maps one split and merges its shards into the job's aggregators. Stateless; see <see cref="IPartitionGrain"/>.</summary>
[SpreadPlacement] // a job's splits spread evenly over the silos ({jobId}/{splitId}: split i on silo (i + hash(job)) mod n); random placement left a silo
// with more than half of 12 splits, or none, about one job in five, and Orleans's default (least loaded) lags behind a burst of splits
public sealed partial class PartitionGrain(ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    private IComputeJobRunner? _runner;
    private string? _silo;

    public async Task<SplitReport> Run(ComputeJobSpec spec, InputSplit split, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        using var activity = Telemetry.ComputeInstrumentation.StartSplit(spec.JobId, split.SplitId);
        _runner ??= JobRunners.Create(ServiceProvider, spec);
        var runner = _runner;
        var watch = Stopwatch.StartNew();
        var sources = JobRunners.Sources(ServiceProvider);
        var computeStarted = TimeSpan.Zero;
        var (partial, shards) = await ComputeThreads.Run(() =>
        {
            computeStarted = watch.Elapsed;
            // Every range of the split (one, or the small files packed into it) through its source, one reader at a time.
            var mapped = runner.RunSplit(split, range => InputSources.Open(sources, range));
            var cut = runner.Shard(mapped, shardCount);
            runner.Release(mapped); // the shards hold copies; the report below reads only its counts
            return (mapped, cut);
        });
        var computed = watch.Elapsed;
        var merged = await Task.WhenAll(shards.Select((shard, i) =>
            GrainFactory.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(spec.JobId, i)).Merge(spec, shard)));
        LogSplitTimes(logger, spec.JobId, split.SplitId, computeStarted.TotalMilliseconds, (computed - computeStarted).TotalMilliseconds, (watch.Elapsed - computed).TotalMilliseconds);
        Telemetry.ComputeInstrumentation.SplitMapped(spec.Kind, watch.Elapsed);
        return new SplitReport
        {
            SplitId = split.SplitId,
            Bytes = split.Bytes,
            Records = partial.Records,
            BadRecords = partial.BadRecords.Count,
            MapTime = watch.Elapsed,
            ShardsMerged = merged.Count(m => m),
            Silo = _silo ??= GrainContext.Address.SiloAddress?.ToParsableString() ?? "",
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} split {SplitId}: waited {WaitMs:F1} ms for a compute thread, mapped {MapMs:F1} ms, merged {MergeMs:F1} ms")]
    private static partial void LogSplitTimes(ILogger logger, string jobId, int splitId, double waitMs, double mapMs, double mergeMs);
}
