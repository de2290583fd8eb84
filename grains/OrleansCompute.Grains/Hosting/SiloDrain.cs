using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Hosting;

/// <summary>
/// Tells the compute grains that their silo is leaving, and moves the stream partitions off it first. Orleans stops a
/// silo stage by stage, from the highest: at the stop of <see cref="ServiceLifecycleStage.Active"/> — before the silo
/// announces <c>ShuttingDown</c> to the cluster and before Orleans deactivates every grain at once —
/// <see cref="Draining"/> fires:
/// <list type="bullet">
/// <item>job grains dispatch no new split and let the splits in flight finish (a job's next activation, on a silo that
/// stays, goes on from there); long waits for a job's end return early;</item>
/// <item>every stream partition on this silo migrates to the silo the spread placement gives it among the others, and
/// this stage waits (at most <see cref="PartitionMoveLimit"/>) until they have left. They go first because a stream
/// aggregator that is re-activated asks every partition for its totals: a partition and an aggregator deactivating
/// together on the same silo would wait for each other (the partition's last batches push to the aggregator's new
/// activation, which waits for the partition to answer) until the drain time runs out.</item>
/// </list>
/// Registered by <c>AddOrleansCompute</c>.
/// </summary>
public sealed partial class SiloDrain(ILogger<SiloDrain> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _draining = new();
    private int _partitions;

    /// <summary>Longest wait for the stream partitions to leave at the start of a drain. Default 10 s.</summary>
    public TimeSpan PartitionMoveLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cancelled when this silo starts to stop.</summary>
    public CancellationToken Draining => _draining.Token;

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Stream partition activations on this silo (they count themselves in and out).</summary>
    public int StreamPartitions => Volatile.Read(ref _partitions);

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloDrain), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);
    }

    /// <summary>Starts draining (idempotent).</summary>
    public void Start()
    {
        try
        {
            _draining.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the container: nothing is listening any more.
        }
    }

    internal void PartitionActivated() => Interlocked.Increment(ref _partitions);

    internal void PartitionDeactivated() => Interlocked.Decrement(ref _partitions);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var before = StreamPartitions;
        Start();
        while (StreamPartitions > 0 && clock.Elapsed < PartitionMoveLimit && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        LogDrainStarted(logger, before, before - StreamPartitions, clock.Elapsed.TotalMilliseconds);
    }

    public void Dispose() => _draining.Dispose();

    [LoggerMessage(1, LogLevel.Information, "Draining: no new splits here; {Moved}/{Partitions} stream partitions moved to other silos in {Elapsed:F0} ms")]
    private static partial void LogDrainStarted(ILogger logger, int partitions, int moved, double elapsed);
}
