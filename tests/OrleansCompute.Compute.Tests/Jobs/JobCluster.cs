using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Runtime;
using OrleansCompute.TestingHost;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>A 3-silo TestCluster whose silos read inputs under one temp folder (the data root), plus helpers the job tests share.</summary>
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

    public static async Task<JobCluster> Start(int silos = 3, int maxSplitsInFlight = 4)
    {
        var folder = new TempFolder();
        var cluster = new TestClusterBuilder(silos)
            .ConfigureSilos(silo =>
            {
                silo.Services.AddSingleton(new DataRootOptions { Roots = { folder.Path } });
                silo.Services.AddSingleton(SlowWordCountJob.CreateRegistry());
                silo.Services.AddSingleton(new JobGrainOptions { MaxSplitsInFlight = maxSplitsInFlight, AggregatorCount = 3, SplitAttempts = 8, RetryBackoff = TimeSpan.FromMilliseconds(200) });
            })
            .Build();
        await cluster.DeployAsync();
        return new JobCluster(cluster, folder);
    }

    public IJobGrain Job(string jobId) => Client.GetGrain<IJobGrain>(jobId);

    /// <summary>The silo the directory says hosts the grain, or null when it is not active anywhere.</summary>
    public async Task<SiloAddress?> Where(string grainType, string key) =>
        (await Cluster.GrainDirectory.Lookup(new GrainId(grainType, key)))?.SiloAddress;

    /// <summary>A job id (<paramref name="prefix"/>-n) whose grain, activated by a status query, lives on a silo matching <paramref name="where"/>.</summary>
    public async Task<string> JobIdOn(string prefix, Func<SiloAddress, bool> where)
    {
        for (var i = 0; i < 100; i++)
        {
            var id = $"{prefix}-{i}";
            await Job(id).GetStatus();
            if (await Where("job", id) is { } silo && where(silo))
            {
                return id;
            }
        }

        throw new InvalidOperationException("no job id landed on a matching silo");
    }

    /// <summary>Calls <paramref name="call"/> until it stops failing because a silo just died.</summary>
    public static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException && attempt < 50)
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
            catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException)
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

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Folder.Dispose();
    }
}
