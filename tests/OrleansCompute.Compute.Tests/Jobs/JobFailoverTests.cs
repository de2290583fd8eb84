using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Silos die mid-job; the job still completes with the exact result and the client only reads the status.
/// The slow kind (1 ms per record, 2 splits in flight) keeps the job running long enough to kill a silo half-way.
/// The silos share Redis (membership and grain storage), so any silo may die, and talk over TCP.
/// </summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class JobFailoverTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start(maxSplitsInFlight: 2, redis: redis);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Killing_the_silo_of_the_job_grain_mid_job_the_job_resumes_by_itself_and_completes_exactly()
    {
        // Wherever the job grain lands (the first silo included: membership is in Redis, no silo is special).
        var jobId = "kill-job";
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 5, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        var progress = await _cluster.WaitFor(jobId, s => s.SplitsDone >= 1);
        Assert.True(progress.SplitsDone < progress.SplitsTotal);

        var victim = _cluster.Where(_cluster.Job(jobId));
        Assert.NotNull(victim);
        var registries = Enumerable.Range(0, IJobRegistryGrain.Replicas).Select(i => _cluster.Where(_cluster.Registry(i))).ToList();

        await _cluster.Cluster.KillSiloAsync(_cluster.Silo(victim));

        // No call to the job from here until it is active again: something in the cluster (a registry replica on a
        // live silo) must re-activate it. Only when every replica was on the killed silo too is that impossible;
        // then the client's status polls below re-activate it (documented).
        var registryAlive = registries.Any(r => r is not null && !r.Equals(victim));
        output.WriteLine($"job on {victim}; registry replicas on [{string.Join(", ", registries)}]; a replica survives: {registryAlive}");
        if (registryAlive)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (_cluster.Where(_cluster.Job(jobId)) is null)
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

        // The per-split records survived the job grain's silo: every split done, on a silo of this cluster (the dead one
        // included), each attempt counted as the first run, a retry or a resume. (Whether some split was recorded as
        // running when the job grain died depends on the moment of the kill: a split dispatched after the job's last
        // state write is simply dispatched again. SplitLedgerTests checks how a resume is recorded.)
        var splits = await _cluster.Job(jobId).GetSplits(0, 10_000, null);
        Assert.Equal(status.SplitsTotal, splits.Total);
        Assert.All(splits.Splits, s => Assert.Equal(SplitState.Done, s.State));
        var known = _cluster.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).Append(victim.ToParsableString()).ToHashSet();
        Assert.All(splits.Splits, s => Assert.Contains(s.Silo!, known));
        Assert.Equal(status.SplitsTotal, status.SplitsBySilo.Values.Sum());
        Assert.All(splits.Splits, s => Assert.Equal(s.Retries + s.Resumes + 1, s.Attempts));
        output.WriteLine($"splits per silo: {string.Join(", ", status.SplitsBySilo.Select(p => $"{p.Key}={p.Value}"))}; resumed splits: {splits.Splits.Count(s => s.Resumes > 0)}");
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _cluster.Folder.Path), await _cluster.Job(jobId).GetResult());
        Assert.Equal(status.RecordsRead, (await _cluster.Job(jobId).GetResult())!.Records);
    }

    [Fact]
    public async Task Killing_a_silo_running_partitions_mid_job_the_splits_are_retried_and_the_result_is_exact()
    {
        var jobId = "kill-part";
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 6, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        var progress = await _cluster.WaitFor(jobId, s => s.SplitsDone >= 2);

        // A silo that runs a partition of this job but not the job grain itself (that case is the test above).
        var jobSilo = _cluster.Where(_cluster.Job(jobId));
        SiloAddress? victim = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (victim is null)
        {
            for (var split = 0; split < progress.SplitsTotal && victim is null; split++)
            {
                if (_cluster.Where(_cluster.Client.GetGrain<IPartitionGrain>(JobKeys.Partition(jobId, split))) is { } silo && !silo.Equals(jobSilo))
                {
                    victim = silo;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "no partition on a silo other than the job grain's");
            await Task.Delay(20);
        }

        var aggregatorsOnVictim = Enumerable.Range(0, 3).Count(shard => victim.Equals(_cluster.Where(_cluster.Client.GetGrain<IAggregatorGrain>(JobKeys.Aggregator(jobId, shard)))));

        await _cluster.Cluster.KillSiloAsync(_cluster.Silo(victim));

        var status = await _cluster.WaitForEnd(jobId);
        output.WriteLine($"killed {victim} (with {aggregatorsOnVictim} of 3 aggregators) at {progress.SplitsDone}/{progress.SplitsTotal}; done: resumes {status.Resumes}, retries {status.Retries}");
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _cluster.Folder.Path), await _cluster.Job(jobId).GetResult());

        // Retries are counted per split too (the job's count also holds retried aggregator calls of the collect step).
        var splits = await _cluster.Job(jobId).GetSplits(0, 10_000, null);
        Assert.InRange(splits.Splits.Sum(s => s.Retries), 0, status.Retries);
        Assert.All(splits.Splits, s => Assert.Equal(s.Retries + s.Resumes + 1, s.Attempts));
        Assert.Equal(status.SplitsTotal, status.SplitsBySilo.Values.Sum());
        output.WriteLine($"split retries {splits.Splits.Sum(s => s.Retries)} of {status.Retries}; per silo: {string.Join(", ", status.SplitsBySilo.Select(p => $"{p.Key}={p.Value}"))}");
    }

    [Fact]
    public async Task Registry_replicas_whose_silo_died_are_reactivated_by_running_jobs_and_keep_them_registered()
    {
        var jobId = "keep-alive";
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 8, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        await _cluster.Job(jobId).Submit(spec);
        await _cluster.WaitFor(jobId, s => s.SplitsDone >= 1);

        // Kill a silo that hosts a registry replica but not the job grain (activate the replicas from the client if needed).
        var jobSilo = _cluster.Where(_cluster.Job(jobId));
        SiloAddress? victim = null;
        for (var i = 0; i < IJobRegistryGrain.Replicas && victim is null; i++)
        {
            Assert.Contains(jobId, await _cluster.Registry(i).GetRunningJobs());
            if (_cluster.Where(_cluster.Registry(i)) is { } silo && !silo.Equals(jobSilo))
            {
                victim = silo;
            }
        }

        if (victim is null)
        {
            output.WriteLine("every registry replica is on the job grain's silo; nothing to kill");
            return;
        }

        var onVictim = Enumerable.Range(0, IJobRegistryGrain.Replicas).Where(i => victim.Equals(_cluster.Where(_cluster.Registry(i)))).ToList();

        await _cluster.Cluster.KillSiloAsync(_cluster.Silo(victim));

        // Without any client call to them, the job's timer re-activates the replicas on live silos.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var i in onVictim)
        {
            while (_cluster.Where(_cluster.Registry(i)) is null)
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
            Assert.DoesNotContain(jobId, await JobCluster.Retry(() => _cluster.Registry(i).GetRunningJobs()));
        }
    }
}
