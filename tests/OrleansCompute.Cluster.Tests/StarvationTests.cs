using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Cluster.Tests.Grains;
using OrleansCompute.TestingHost;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// A silo whose thread pool is held by other work for longer than the isolation fence timeout (long synchronous work
/// in grains, blocking reads) is slow, not cut off: it must not fence itself. The membership table (in memory here)
/// and the peers never failed; the loops merely ran late. Found in CI: blob-input jobs on a 3-silo TestCluster held
/// the pool with blocking ranged reads and two silos fenced themselves.
/// </summary>
[Collection(Name)]
public sealed class StarvationTests
{
    public const string Name = "thread pool starvation (alone: caps the process's thread pool)";

    [Fact]
    public async Task A_silo_whose_thread_pool_was_held_for_longer_than_the_fence_timeout_keeps_serving()
    {
        await using var cluster = new TestClusterBuilder(2).Build();
        await cluster.DeployAsync();
        var grain = cluster.Client.GetGrain<IClusterTestGrain>("starved");
        Assert.Equal(1, await grain.Increment());
        var fenceTimeout = TimeSpan.FromSeconds(3); // ClusterMembershipOptions.IsolationFenceTimeout's default

        await HoldThreadPool(fenceTimeout + TimeSpan.FromSeconds(1.5));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the isolation loop's checks after the hold

        Assert.All(cluster.Silos, s => Assert.False(s.ServiceProvider.GetRequiredService<ClusterSilo>().Membership.IsFenced, $"{s.Name} fenced itself"));
        Assert.Equal(2, await grain.Increment());
        await cluster.WaitForLivenessToStabilizeAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Caps the thread pool at its minimum and blocks every worker for <paramref name="duration"/>.</summary>
    private static Task HoldThreadPool(TimeSpan duration)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = new Thread(() =>
        {
            ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
            ThreadPool.GetMinThreads(out var minWorkers, out _);
            var release = new ManualResetEventSlim(); // not disposed: queued holders still run (and pass at once) after the release
            try
            {
                Assert.True(ThreadPool.SetMaxThreads(Math.Max(minWorkers, Environment.ProcessorCount), maxIo));
                for (var i = 0; i < 256; i++)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(r => r.Wait(), release, preferLocal: false);
                }

                Thread.Sleep(duration);
            }
            finally
            {
                release.Set();
                ThreadPool.SetMaxThreads(maxWorkers, maxIo);
                done.SetResult();
            }
        }) { IsBackground = true, Name = "thread pool holder" };
        holder.Start();
        return done.Task;
    }
}

[CollectionDefinition(StarvationTests.Name, DisableParallelization = true)]
public sealed class StarvationCollection;
