using OrleansCompute.Grains.Jobs;
using OrleansCompute.Runtime;
using Xunit.Abstractions;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Silos die mid-job; the job still completes with the exact result and the client only reads the status.
/// The slow kind (1 ms per record, 2 splits in flight) keeps the job running long enough to kill a silo half-way.
/// </summary>
public sealed class JobFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start(maxSplitsInFlight: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Killing_the_silo_of_the_job_grain_mid_job_the_job_resumes_by_itself_and_completes_exactly()
    {
        var primary = _cluster.Cluster.Primary.SiloAddress;
        var jobId = await _cluster.JobIdOn("kill-job", silo => silo != primary);
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 5, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        var progress = await _cluster.WaitFor(jobId, s => s.SplitsDone >= 1);
        Assert.True(progress.SplitsDone < progress.SplitsTotal);

        var victim = await _cluster.Where("job", jobId);
        var registries = new List<SiloAddress?>();
        for (var i = 0; i < IJobRegistryGrain.Replicas; i++)
        {
            registries.Add(await _cluster.Where("jobregistry", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await _cluster.Cluster.KillSiloAsync(_cluster.Cluster.Silos.Single(s => s.SiloAddress == victim));

        // No call to the job from here until it is active again: something in the cluster (a registry replica on a
        // live silo) must re-activate it. Only when every replica was on the killed silo too is that impossible;
        // then the client's status polls below re-activate it (documented).
        var registryAlive = registries.Any(r => r is not null && r != victim);
        output.WriteLine($"job on {victim}; registry replicas on [{string.Join(", ", registries)}]; a replica survives: {registryAlive}");
        if (registryAlive)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await _cluster.Where("job", jobId) is var where && (where is null || where == victim))
            {
                Assert.True(DateTime.UtcNow < deadline, "the job grain was not re-activated by its registry");
                await Task.Delay(100);
            }
        }

        var status = await _cluster.WaitForEnd(jobId);
        Assert.True(status.State == JobState.Completed, status.Error);
        output.WriteLine($"done: {status.SplitsDone}/{status.SplitsTotal} splits, resumes {status.Resumes}, retries {status.Retries}, map {status.MapTime}, merge {status.MergeTime}");
        Assert.True(status.Resumes >= 1, "the job resumed from persisted progress");
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _cluster.Folder.Path), await _cluster.Job(jobId).GetResult());
        Assert.Equal(status.RecordsRead, (await _cluster.Job(jobId).GetResult())!.Records);
    }

    [Fact]
    public async Task Killing_a_silo_running_partitions_mid_job_the_splits_are_retried_and_the_result_is_exact()
    {
        var primary = _cluster.Cluster.Primary.SiloAddress;
        var jobId = await _cluster.JobIdOn("kill-part", silo => silo == primary);
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 6, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        var progress = await _cluster.WaitFor(jobId, s => s.SplitsDone >= 2);

        // A non-primary silo that runs a partition of this job (the job grain itself is on the primary).
        SiloAddress? victim = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (victim is null)
        {
            for (var split = 0; split < progress.SplitsTotal && victim is null; split++)
            {
                if (await _cluster.Where("partition", JobKeys.Partition(jobId, split)) is { } silo && silo != primary)
                {
                    victim = silo;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "no partition on a non-primary silo");
        }

        var aggregatorsOnVictim = 0;
        for (var shard = 0; shard < 3; shard++)
        {
            aggregatorsOnVictim += await _cluster.Where("aggregator", JobKeys.Aggregator(jobId, shard)) == victim ? 1 : 0;
        }

        await _cluster.Cluster.KillSiloAsync(_cluster.Cluster.Silos.Single(s => s.SiloAddress == victim));

        var status = await _cluster.WaitForEnd(jobId);
        output.WriteLine($"killed {victim} (with {aggregatorsOnVictim} of 3 aggregators) at {progress.SplitsDone}/{progress.SplitsTotal}; done: resumes {status.Resumes}, retries {status.Retries}");
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _cluster.Folder.Path), await _cluster.Job(jobId).GetResult());
    }

    [Fact]
    public async Task Registry_replicas_whose_silo_died_are_reactivated_by_running_jobs_and_keep_them_registered()
    {
        var primary = _cluster.Cluster.Primary.SiloAddress;
        var jobId = await _cluster.JobIdOn("keep-alive", silo => silo == primary);
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 8, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        await _cluster.WaitFor(jobId, s => s.SplitsDone >= 1);

        // Kill a non-primary silo that hosts a registry replica (activate the replicas from the client if needed).
        SiloAddress? victim = null;
        for (var i = 0; i < IJobRegistryGrain.Replicas && victim is null; i++)
        {
            Assert.Contains(jobId, await _cluster.Client.GetGrain<IJobRegistryGrain>(i).GetRunningJobs());
            if (await _cluster.Where("jobregistry", i.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } silo && silo != primary)
            {
                victim = silo;
            }
        }

        if (victim is null)
        {
            output.WriteLine("every registry replica is on the primary silo; nothing to kill");
            return;
        }

        var onVictim = new List<int>();
        for (var i = 0; i < IJobRegistryGrain.Replicas; i++)
        {
            if (await _cluster.Where("jobregistry", i.ToString(System.Globalization.CultureInfo.InvariantCulture)) == victim)
            {
                onVictim.Add(i);
            }
        }

        await _cluster.Cluster.KillSiloAsync(_cluster.Cluster.Silos.Single(s => s.SiloAddress == victim));

        // Without any client call to them, the job's timer re-activates the replicas on live silos.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var i in onVictim)
        {
            var key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            while (await _cluster.Where("jobregistry", key) is var where && (where is null || where == victim))
            {
                Assert.True(DateTime.UtcNow < deadline, $"registry replica {i} was not re-activated");
                await Task.Delay(100);
            }
        }

        var status = await _cluster.WaitForEnd(jobId);
        Assert.True(status.State == JobState.Completed, status.Error);
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _cluster.Folder.Path), await _cluster.Job(jobId).GetResult());

        // A finished job leaves the registry (unregistered, or dropped when its ping answers false).
        for (var i = 0; i < IJobRegistryGrain.Replicas; i++)
        {
            Assert.DoesNotContain(jobId, await JobCluster.Retry(() => _cluster.Client.GetGrain<IJobRegistryGrain>(i).GetRunningJobs()));
        }
    }
}
