using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// Per-split records of a job on a 3-silo TestCluster: every split names the real silo that ran it, the per-silo counts
/// add up to the splits, failed partition calls are counted as retries, and pages and filters select the right rows.
/// </summary>
public sealed class SplitRecordTests : IAsyncLifetime
{
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private HashSet<string> SiloNames() => [.. _cluster.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString())];

    [Fact]
    public async Task Every_split_names_the_silo_that_ran_it_and_the_silo_counts_add_up()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "silos", seed: 11);
        await _cluster.Job("silos").Submit(spec);
        var status = await _cluster.WaitForEnd("silos");
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.True(status.SplitsTotal > 10, $"{status.SplitsTotal} splits");

        var silos = SiloNames();
        Assert.Equal(3, silos.Count);
        Assert.All(status.SplitsBySilo.Keys, s => Assert.Contains(s, silos));
        Assert.True(status.SplitsBySilo.Count > 1, $"splits ran on {string.Join(", ", status.SplitsBySilo.Keys)}");
        Assert.Equal(status.SplitsTotal, status.SplitsBySilo.Values.Sum());

        // Merge time splits into collect (reading the shards) and finish (join, finish, persist).
        Assert.True(status.CollectTime > TimeSpan.Zero && status.FinishTime > TimeSpan.Zero, $"collect {status.CollectTime}, finish {status.FinishTime}");
        Assert.Equal(status.MergeTime, status.CollectTime + status.FinishTime);

        var page = await _cluster.Job("silos").GetSplits(0, 10_000, null);
        Assert.Equal(status.SplitsTotal, page.Total);
        Assert.Equal(Enumerable.Range(0, status.SplitsTotal), page.Splits.Select(s => s.SplitId));
        Assert.All(page.Splits, s =>
        {
            Assert.Equal(SplitState.Done, s.State);
            Assert.Contains(s.Silo!, silos);
            Assert.Equal(1, s.Attempts);
            Assert.Equal(0, s.Retries);
            Assert.Equal(0, s.Resumes);
            Assert.True(s.Records > 0);
        });
        Assert.Equal(status.RecordsRead, page.Splits.Sum(s => s.Records));

        // Where each split ran agrees with where its partition grain is active (they stay active after the job).
        foreach (var split in page.Splits)
        {
            if (_cluster.Where(_cluster.Client.GetGrain<IPartitionGrain>(JobKeys.Partition("silos", split.SplitId))) is { } where)
            {
                Assert.Equal(where.ToParsableString(), split.Silo);
            }
        }

        var bySilo = page.Splits.GroupBy(s => s.Silo!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(bySilo.OrderBy(p => p.Key), status.SplitsBySilo.OrderBy(p => p.Key));

        var middle = await _cluster.Job("silos").GetSplits(5, 3, SplitState.Done);
        Assert.Equal(status.SplitsTotal, middle.Total);
        Assert.Equal([5, 6, 7], middle.Splits.Select(s => s.SplitId));
        var pending = await _cluster.Job("silos").GetSplits(0, 100, SplitState.Pending);
        Assert.Equal(0, pending.Total);
        Assert.Empty(pending.Splits);
    }

    [Fact]
    public async Task A_job_over_an_empty_file_ends_with_no_split_records_and_no_silo_counts()
    {
        _cluster.Folder.Write("empty/nothing.txt", []);
        var spec = new OrleansCompute.Grains.Compute.ComputeJobSpec { Kind = "word-count", Input = new() { Path = "empty/nothing.txt" } };
        await _cluster.Job("empty").Submit(spec);
        var status = await _cluster.WaitForEnd("empty");
        Assert.True(status.State is JobState.Completed or JobState.Failed, $"{status.State}");
        var page = await _cluster.Job("empty").GetSplits(0, 100, null);
        Assert.Equal(status.SplitsTotal, page.Total);
        Assert.Equal(status.SplitsDone, status.SplitsBySilo.Values.Sum());
    }

    [Fact]
    public async Task A_failed_partition_call_is_counted_as_a_retry_of_its_split()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "flaky", seed: 12, wordsPerFile: 1500, kind: FlakyWordCountJob.Kind);
        await _cluster.Job("flaky").Submit(spec);
        var status = await _cluster.WaitForEnd("flaky");
        Assert.True(status.State == JobState.Completed, status.Error);

        var page = await _cluster.Job("flaky").GetSplits(0, 10_000, null);
        Assert.Equal(status.SplitsTotal, page.Total);
        Assert.All(page.Splits, s =>
        {
            Assert.Equal(SplitState.Done, s.State);
            Assert.Equal(1, s.Retries);
            Assert.Equal(2, s.Attempts);
            Assert.Contains(s.Silo!, SiloNames());
        });
        Assert.Equal(status.Retries, page.Splits.Sum(s => s.Retries));
        Assert.Equal(status.SplitsTotal, status.SplitsBySilo.Values.Sum());
    }

    [Fact]
    public async Task A_split_that_fails_every_attempt_is_recorded_failed_with_its_attempts()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "fails", seed: 13, wordsPerFile: 100, splitBytes: 1 << 20, kind: ThrowingJob.Kind);
        await _cluster.Job("fails").Submit(spec);
        var status = await _cluster.WaitForEnd("fails");
        Assert.Equal(JobState.Failed, status.State);

        var failed = await _cluster.Job("fails").GetSplits(0, 100, SplitState.Failed);
        Assert.NotEqual(0, failed.Total);
        Assert.All(failed.Splits, s =>
        {
            Assert.Equal(8, s.Attempts); // the test silos' SplitAttempts
            Assert.Equal(7, s.Retries);
            Assert.Null(s.Silo); // no run of it ever answered
        });
        Assert.Empty(status.SplitsBySilo);
    }
}
