using OrleansCompute.Compute.Tests.Reference;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// The batch job grains on a 3-silo TestCluster: exact results, spreading, idempotent submit, cancel, durable status.
/// The silos share Redis (membership and grain storage): some tests stop or replace silos and read the state back.
/// </summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class JobGrainTests(RedisServerFixture redis) : IAsyncLifetime
{
    private JobCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await JobCluster.Start(redis: redis);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Word_count_job_gives_exactly_the_engine_result_and_its_partitions_run_on_several_silos()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "wc-1", seed: 1);
        var submitted = await _cluster.Job("wc-1").Submit(spec);
        Assert.Equal("wc-1", submitted.JobId);

        var status = await _cluster.WaitForEnd("wc-1");
        Assert.True(status.State == JobState.Completed, status.Error);
        var result = await _cluster.Job("wc-1").GetResult();
        var expected = JobInputs.Expected(spec, _cluster.Folder.Path);
        JobInputs.AssertSameResult(expected, result);

        // And the engine agrees with the independent reference.
        var files = Enumerable.Range(0, 3).Select(f => File.ReadAllBytes(_cluster.Folder.File("wc-1", $"part-{f}.txt"))).ToList();
        var reference = ReferenceText.WordCount(files, lower: true, joinApostrophes: true);
        var words = (WordCountResult)result!.Value!;
        Assert.Equal(reference.Count, words.Words.Count);
        Assert.All(words.Words, w => Assert.Equal(reference[w.Word], w.Count));

        Assert.True(status.SplitsTotal > 10, $"{status.SplitsTotal} splits");
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        Assert.Equal(status.BytesTotal, status.BytesRead);
        Assert.Equal(result.Records, status.RecordsRead);
        Assert.Equal(result.BadRecords.Count, status.BadRecords);
        Assert.True(status.MapTime > TimeSpan.Zero && status.MergeTime > TimeSpan.Zero && status.PlanningTime > TimeSpan.Zero);

        var silos = new HashSet<string>();
        for (var split = 0; split < status.SplitsTotal; split++)
        {
            if (_cluster.Where(_cluster.Client.GetGrain<IPartitionGrain>(JobKeys.Partition("wc-1", split))) is { } silo)
            {
                silos.Add(silo.ToString());
            }
        }

        Assert.True(silos.Count > 1, $"partitions ran on {silos.Count} silo(s)");
    }

    [Fact]
    public async Task Group_by_job_gives_exactly_the_engine_result()
    {
        var spec = JobInputs.GroupBy(_cluster.Folder, "gb-1", seed: 7);
        await _cluster.Job("gb-1").Submit(spec);

        var status = await _cluster.WaitForEnd("gb-1");
        Assert.True(status.State == JobState.Completed, status.Error);
        var expected = JobInputs.Expected(spec, _cluster.Folder.Path);
        Assert.True(expected.BadRecords.Count > 0, "the generated CSV has bad records");
        JobInputs.AssertSameResult(expected, await _cluster.Job("gb-1").GetResult());
        Assert.True(((GroupByResult)expected.Value!).Rows.Count > 1);
        Assert.Equal(expected.BadRecords.Count, status.BadRecords);
    }

    [Fact]
    public async Task Submit_is_idempotent_for_the_same_spec_and_refuses_another()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "idem", seed: 2, wordsPerFile: 300);
        var job = _cluster.Job("idem");
        await job.Submit(spec);
        var again = await job.Submit(JobInputs.WordCount(_cluster.Folder, "idem", seed: 2, wordsPerFile: 300));
        Assert.NotNull(again.Spec);

        await _cluster.WaitForEnd("idem");
        Assert.Equal(JobState.Completed, (await job.Submit(spec)).State);

        var other = JobInputs.WordCount(_cluster.Folder, "idem", seed: 2, wordsPerFile: 300);
        other.Input.TargetSplitBytes = 100;
        await Assert.ThrowsAsync<InvalidOperationException>(() => job.Submit(other));
        await Assert.ThrowsAsync<ArgumentException>(() => _cluster.Job("idem-other").Submit(spec));
    }

    [Fact]
    public async Task A_bad_spec_is_refused_and_a_missing_input_fails_the_job_with_a_message()
    {
        var unknown = new ComputeJobSpec { Kind = "no-such-kind", Input = new InputSpec { Path = "x" } };
        await Assert.ThrowsAsync<ArgumentException>(() => _cluster.Job("bad-kind").Submit(unknown));

        var missing = new ComputeJobSpec { Kind = "word-count", Input = new InputSpec { Path = "does/not/exist.txt" } };
        await _cluster.Job("missing").Submit(missing);
        var status = await _cluster.WaitForEnd("missing");
        Assert.Equal(JobState.Failed, status.State);
        Assert.False(string.IsNullOrEmpty(status.Error));
        Assert.Null(await _cluster.Job("missing").GetResult());
    }

    [Fact]
    public async Task Too_many_bad_records_fail_the_job_with_the_engines_message()
    {
        var spec = JobInputs.GroupBy(_cluster.Folder, "gb-strict", seed: 7);
        spec.Rejection.MaxBadRecords = 0;
        await _cluster.Job("gb-strict").Submit(spec);
        var status = await _cluster.WaitForEnd("gb-strict");
        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("gb-strict", status.Error, StringComparison.Ordinal);
        Assert.Equal(status.SplitsTotal, status.SplitsDone);
        Assert.True(status.BadRecords > 0);
        Assert.Null(await _cluster.Job("gb-strict").GetResult());
    }

    [Fact]
    public async Task A_split_that_fails_every_attempt_fails_the_job_with_its_error()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "throws", seed: 10, wordsPerFile: 100, splitBytes: 1 << 20, kind: ThrowingJob.Kind);
        await _cluster.Job("throws").Submit(spec);
        var status = await _cluster.WaitForEnd("throws");
        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("map failed on purpose", status.Error, StringComparison.Ordinal);
        Assert.True(status.Retries >= 7, $"{status.Retries} retries");
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_which_ends_cancelled_with_its_progress()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "cancel", seed: 3, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        var job = _cluster.Job("cancel");
        await job.Submit(spec);
        await _cluster.WaitFor("cancel", s => s.SplitsDone >= 1);
        await job.Cancel();

        var cancelled = await job.GetStatus();
        Assert.Equal(JobState.Cancelled, cancelled.State);
        await Task.Delay(2500); // splits in flight finish; nothing new is dispatched
        var later = await job.GetStatus();
        Assert.Equal(JobState.Cancelled, later.State);
        Assert.InRange(later.SplitsDone, 1, later.SplitsTotal - 1);
        Assert.True(later.RecordsRead > 0);
        await Task.Delay(1500);
        Assert.Equal(later.SplitsDone, (await job.GetStatus()).SplitsDone);
        Assert.Null(await job.GetResult());
        await job.Cancel(); // no-op
        Assert.Equal(JobState.Cancelled, (await job.GetStatus()).State);

        // Once the splits in flight finished, the aggregators' partial state of the cancelled job is dropped.
        for (var shard = 0; shard < 3; shard++)
        {
            var merged = await _cluster.Client.GetGrain<IAggregatorGrain>(JobKeys.Aggregator("cancel", shard)).GetMerged(spec);
            Assert.Empty(merged.SplitIds);
        }
    }

    [Fact]
    public async Task A_finished_job_is_deleted_with_its_result_shards_and_its_id_can_be_used_again_but_a_running_one_is_refused()
    {
        // Running: refused, with what to do; once cancelled it can go (after its splits in flight finished).
        var slow = _cluster.Job("del-running");
        await slow.Submit(JobInputs.WordCount(_cluster.Folder, "del-running", seed: 5, wordsPerFile: 8000, splitBytes: 4096, kind: SlowWordCountJob.Kind));
        await _cluster.WaitFor("del-running", s => s.SplitsDone >= 1);
        Assert.Equal(JobDeletion.Running, await slow.Delete());
        Assert.Equal(JobState.Running, (await slow.GetStatus()).State); // nothing deleted
        await slow.Cancel();
        Assert.Equal(JobDeletion.Deleted, await DeleteWhenSplitsFinished(slow));
        Assert.Null((await slow.GetStatus()).Spec);

        // Completed word count, whose result lives in its aggregators' persisted shards.
        var job = _cluster.Job("del-wc");
        var spec = JobInputs.WordCount(_cluster.Folder, "del-wc", seed: 6, wordsPerFile: 500);
        await job.Submit(spec);
        Assert.Equal(JobState.Completed, (await _cluster.WaitForEnd("del-wc")).State);
        Assert.NotNull(await job.GetResult());
        var shards = Enumerable.Range(0, 3).Select(i => _cluster.Client.GetGrain<IAggregatorGrain>(JobKeys.Aggregator("del-wc", i))).ToList();
        var merged = await Task.WhenAll(shards.Select(s => s.GetMerged(spec)));
        Assert.Contains(merged, m => m.SplitIds.Count > 0);

        Assert.Equal(JobDeletion.Deleted, await job.Delete());
        var gone = await job.GetStatus();
        Assert.Null(gone.Spec);
        Assert.Null(await job.GetResult());
        Assert.Equal(JobDeletion.Unknown, await job.Delete()); // nothing left: a repeated delete says so
        foreach (var shard in shards)
        {
            Assert.Empty((await shard.GetMerged(spec)).SplitIds); // read back from storage by a new activation: cleared
        }

        // The id is free again: another spec under it runs to its own exact result.
        var again = JobInputs.WordCount(_cluster.Folder, "del-wc2", seed: 8, wordsPerFile: 300);
        again.JobId = "del-wc"; // its input is under del-wc2/
        await job.Submit(again);
        Assert.Equal(JobState.Completed, (await _cluster.WaitForEnd("del-wc")).State);
        JobInputs.AssertSameResult(JobInputs.Expected(again, _cluster.Folder.Path), await job.GetResult());
    }

    /// <summary>Deletes a cancelled job, asking again while its splits in flight are still finishing (the grain waits 5 s each time).</summary>
    private static async Task<JobDeletion> DeleteWhenSplitsFinished(IJobGrain job)
    {
        var deletion = await job.Delete();
        for (var attempt = 1; deletion == JobDeletion.Finishing && attempt < 12; attempt++)
        {
            deletion = await job.Delete();
        }

        return deletion;
    }

    [Fact]
    public async Task Status_and_result_stay_queryable_after_the_job_grain_deactivates()
    {
        var jobId = "durable";
        var spec = JobInputs.WordCount(_cluster.Folder, jobId, seed: 4, wordsPerFile: 500);
        await _cluster.Job(jobId).Submit(spec);
        var status = await _cluster.WaitForEnd(jobId);
        Assert.Equal(JobState.Completed, status.State);
        var before = await _cluster.Job(jobId).GetResult();

        var host = _cluster.Where(_cluster.Job(jobId));
        Assert.NotNull(host);
        await _cluster.Cluster.StopSiloAsync(_cluster.Silo(host)); // graceful: its grains deactivate
        await _cluster.Cluster.WaitForLivenessToStabilizeAsync();

        var after = await JobCluster.Retry(() => _cluster.Job(jobId).GetStatus());
        Assert.NotEqual(host, _cluster.Where(_cluster.Job(jobId)));
        Assert.Equal(JobState.Completed, after.State);
        Assert.Equal(status.SplitsDone, after.SplitsDone);
        Assert.Equal(status.RecordsRead, after.RecordsRead);
        JobInputs.AssertSameResult(before!, await _cluster.Job(jobId).GetResult());
    }

    /// <summary>
    /// Every silo that ran the job is gone (new silos started, the old ones killed): status and result come back from
    /// storage alone — group-by's result from the job's state, word count's from its aggregators' persisted shards,
    /// which the new silos finish again.
    /// </summary>
    [Fact]
    public async Task Status_and_result_stay_queryable_after_every_silo_is_replaced()
    {
        var wc = JobInputs.WordCount(_cluster.Folder, "wc-replaced", seed: 5, wordsPerFile: 400);
        var gb = JobInputs.GroupBy(_cluster.Folder, "gb-replaced", seed: 6);
        await _cluster.Job(wc.JobId).Submit(wc);
        await _cluster.Job(gb.JobId).Submit(gb);
        var statuses = new[] { await _cluster.WaitForEnd(wc.JobId), await _cluster.WaitForEnd(gb.JobId) };
        Assert.All(statuses, s => Assert.Equal(JobState.Completed, s.State));
        var results = new[] { await _cluster.Job(wc.JobId).GetResult(), await _cluster.Job(gb.JobId).GetResult() };

        var old = _cluster.Cluster.Silos.ToList();
        for (var i = 0; i < old.Count; i++)
        {
            await _cluster.Cluster.StartAdditionalSiloAsync();
        }

        foreach (var silo in old)
        {
            await _cluster.Cluster.KillSiloAsync(silo);
        }

        await _cluster.Cluster.WaitForLivenessToStabilizeAsync();
        for (var i = 0; i < 2; i++)
        {
            var jobId = statuses[i].JobId;
            var after = await JobCluster.Retry(() => _cluster.Job(jobId).GetStatus());
            Assert.Equal(JobState.Completed, after.State);
            Assert.Equal(statuses[i].SplitsDone, after.SplitsDone);
            Assert.Equal(statuses[i].RecordsRead, after.RecordsRead);
            JobInputs.AssertSameResult(results[i]!, await JobCluster.Retry(() => _cluster.Job(jobId).GetResult()));
        }
    }

    /// <summary>The long poll answers when the job ends (no sooner: a short wait sees it running), at once for an ended job, and refuses waits outside 0..1 min.</summary>
    [Fact]
    public async Task Wait_for_end_answers_when_the_job_ends_and_not_before()
    {
        var spec = JobInputs.WordCount(_cluster.Folder, "waited", seed: 8, wordsPerFile: 3000, splitBytes: 4096, kind: SlowWordCountJob.Kind);
        spec.Parameters["delayMs"] = "2";
        var job = _cluster.Job("waited");
        Assert.Equal(JobState.Queued, (await job.WaitForEnd(TimeSpan.FromMilliseconds(50))).State); // nothing submitted: no wait

        await job.Submit(spec);
        var early = await job.WaitForEnd(TimeSpan.FromMilliseconds(200));
        Assert.True(early.State is JobState.Queued or JobState.Running, $"{early.State} after 200 ms");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ended = await job.WaitForEnd(TimeSpan.FromSeconds(50));
        Assert.Equal(JobState.Completed, ended.State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45), $"answered after {watch.Elapsed}, not when the job ended");
        Assert.Equal(ended.SplitsTotal, ended.SplitsDone);
        Assert.NotNull(await job.GetResult());

        watch.Restart();
        Assert.Equal(JobState.Completed, (await job.WaitForEnd(TimeSpan.FromSeconds(30))).State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => job.WaitForEnd(TimeSpan.FromMinutes(2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => job.WaitForEnd(TimeSpan.FromSeconds(-1)));
    }
}
