using Orleans.TestingHost;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// A 3-silo Orleans TestCluster whose silos run the compute grains over one temp folder (the data root), plus helpers
/// the job tests share. With <c>redis</c> the silos share Orleans's Redis grain storage and talk over TCP, so tests may
/// kill or stop silos; without it they use memory grain storage (which dies with its silo) and must not.
/// </summary>
public sealed class JobCluster : IAsyncDisposable
{
    private JobCluster(TestCluster cluster, TempFolder folder)
    {
        Cluster = cluster;
        Folder = folder;
    }

    public TestCluster Cluster { get; }

    public TempFolder Folder { get; }

    public IClusterClient Client => Cluster.Client;

    public static async Task<JobCluster> Start(short silos = 3, int maxSplitsInFlight = 4, RedisServerFixture? redis = null)
    {
        var folder = new TempFolder();
        var cluster = ComputeTestCluster.Build(silos, new ComputeClusterSettings
        {
            DataRoot = folder.Path,
            Redis = redis?.ConnectionString,
            MaxSplitsInFlight = maxSplitsInFlight,
        });
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            folder.Dispose();
            throw;
        }

        return new JobCluster(cluster, folder);
    }

    public IJobGrain Job(string jobId) => Client.GetGrain<IJobGrain>(jobId);

    /// <summary>The silo where the grain is active, or null when it is not active on any live silo.</summary>
    public SiloAddress? Where(IAddressable grain) => Cluster.Where(grain.GetGrainId());

    public IJobRegistryGrain Registry(int replica) => Client.GetGrain<IJobRegistryGrain>(replica);

    /// <summary>The in-process silo with this address (to kill or stop it).</summary>
    public SiloHandle Silo(SiloAddress? address) => Cluster.Silos.Single(s => s.SiloAddress.Equals(address));

    /// <summary>Calls <paramref name="call"/> until it stops failing because a silo just died.</summary>
    public static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsFailover(ex) && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Polls <see cref="IJobGrain.GetStatus"/> (the only thing a client does) until the job reaches a final state.</summary>
    public async Task<JobStatus> WaitForEnd(string jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                var status = await Job(jobId).GetStatus();
                if (status.State is JobState.Completed or JobState.Failed or JobState.Cancelled)
                {
                    return status;
                }
            }
            catch (Exception ex) when (IsFailover(ex))
            {
                // the job's silo was just killed: the next poll reaches its new activation
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish in time");
            await Task.Delay(100);
        }
    }

    public async Task<JobStatus> WaitFor(string jobId, Func<JobStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await Job(jobId).GetStatus();
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId}: condition not reached; last state {status.State}, {status.SplitsDone}/{status.SplitsTotal}");
            await Task.Delay(20);
        }
    }

    /// <summary>What a call may throw while a silo it went to is dying: the caller tries again.</summary>
    public static bool IsFailover(Exception ex) => ex is OrleansException or TimeoutException;

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Folder.Dispose();
    }
}
