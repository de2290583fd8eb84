using System.Runtime;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Hosting;

/// <summary>
/// Hands back to the operating system the memory a burst of work left committed, once the silo has gone quiet.
/// A batch job allocates hundreds of megabytes (read buffers, count tables, partials) that are garbage when it ends, but
/// the GC keeps the freed space committed while nothing presses on memory, so a silo's resident size stays at its
/// high-water mark for good. When the process has allocated less than <see cref="QuietBytesPerSecond"/> per second
/// for <see cref="OrleansComputeOptions.IdleMemoryTrim"/> and holds at least <see cref="MinimumGrowthBytes"/> more
/// committed memory than after the last trim, this empties the jobs' array pools (<c>LargeArrayPool</c>) and runs one
/// aggressive, compacting full collection
/// (<see cref="GCCollectionMode.Aggressive"/>: the GC decommits what it can). The signal is the allocation rate, so
/// any work (jobs, ingest, API calls) keeps it from running; a pause is only ever taken on an idle silo.
/// </summary>
internal sealed partial class IdleMemoryTrimmer(OrleansComputeOptions options, ILogger<IdleMemoryTrimmer> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Allocation rate below which the process counts as idle: 1 MiB/s (an idle silo allocates a few KiB/s).</summary>
    internal const long QuietBytesPerSecond = 1 << 20;

    /// <summary>Committed memory above the level after the last trim that makes a trim worth its pause: 64 MiB.</summary>
    internal const long MinimumGrowthBytes = 64L << 20;

    /// <summary>
    /// A second trim this long after the first, if the silo stayed idle: <c>ArrayPool.Shared</c> releases pooled arrays
    /// only at a full collection once they have gone unused for about a minute, and an idle silo runs no collection.
    /// </summary>
    internal static readonly TimeSpan FollowUp = TimeSpan.FromSeconds(65);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Trims taken so far (for tests and the log).</summary>
    internal int Trims { get; private set; }

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (options.IdleMemoryTrim <= TimeSpan.Zero)
        {
            return;
        }

        lifecycle.Subscribe(nameof(IdleMemoryTrimmer), ServiceLifecycleStage.Active, _ =>
        {
            _loop = Task.Run(() => Run(_stopping.Token), CancellationToken.None);
            return Task.CompletedTask;
        }, async _ =>
        {
            await _stopping.CancelAsync();
            if (_loop is { } loop)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    private async Task Run(CancellationToken stopping)
    {
        var idle = options.IdleMemoryTrim;
        var tick = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond * 5));
        using var timer = new PeriodicTimer(tick);
        var floor = GC.GetGCMemoryInfo().TotalCommittedBytes; // committed after start-up: what a trim can get back to
        var allocated = GC.GetTotalAllocatedBytes();
        var quietSince = Environment.TickCount64;
        long followUpAt = 0; // after a trim: when to trim once more if nothing ran meanwhile (0: none due)
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var now = Environment.TickCount64;
                var total = GC.GetTotalAllocatedBytes();
                var rate = (total - allocated) / tick.TotalSeconds;
                allocated = total;
                if (rate >= QuietBytesPerSecond)
                {
                    quietSince = now;
                    followUpAt = 0; // work again: the next quiet spell trims if it left enough behind
                    continue;
                }

                if (now - quietSince < idle.TotalMilliseconds)
                {
                    continue;
                }

                var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
                var followUp = followUpAt != 0 && now >= followUpAt;
                if (committed - floor < MinimumGrowthBytes && !followUp)
                {
                    continue;
                }

                var before = Environment.WorkingSet;
                var quietFor = (now - quietSince) / 1000.0;
                var pooled = Grains.Compute.Jobs.LargeArrayPools.Trim(); // the jobs' big pooled arrays: garbage from here on
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var after = GC.GetGCMemoryInfo();
                floor = after.TotalCommittedBytes;
                allocated = GC.GetTotalAllocatedBytes();
                quietSince = Environment.TickCount64;
                followUpAt = followUp ? 0 : quietSince + (long)FollowUp.TotalMilliseconds;
                Trims++;
                LogTrimmed(logger, quietFor, pooled >> 20, committed >> 20, floor >> 20, after.HeapSizeBytes >> 20, before >> 20, Environment.WorkingSet >> 20);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information,
        Message = "Idle for {IdleSeconds:0} s: returned memory to the system ({PooledMb} MB of pooled job arrays dropped; GC committed {CommittedBeforeMb} → {CommittedAfterMb} MB, of which heap {HeapMb} MB; resident {ResidentBeforeMb} → {ResidentAfterMb} MB)")]
    private static partial void LogTrimmed(ILogger logger, double idleSeconds, long pooledMb, long committedBeforeMb, long committedAfterMb, long heapMb, long residentBeforeMb, long residentAfterMb);
}
