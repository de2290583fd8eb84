using Orleans.TestingHost;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// A job reports Completed (and hands out its result) only once that state is durable: while the write of the
/// final state is held back by the storage (<see cref="FinalWriteHold"/> around the silo's default storage), status
/// still says Running and the result is not there, so a crash during the write can never take back a result a
/// caller has already seen.
/// </summary>
[Collection(RedisServerFixture.CollectionName)] // not Redis: in the collection so clusters do not run side by side
public sealed class FinalStateDurabilityTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FinalWriteHold _hold;
    private readonly TestCluster _cluster;

    public FinalStateDurabilityTests()
    {
        (var name, _hold) = FinalWriteHold.Create();
        _cluster = ComputeTestCluster.Build(1, new ComputeClusterSettings { DataRoot = _folder.Path, HoldFinalWrite = name });
    }

    public Task InitializeAsync() => _cluster.DeployAsync();

    public async Task DisposeAsync()
    {
        _hold.Release.TrySetResult();
        await _cluster.DisposeAsync();
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Status_and_result_report_completed_only_after_the_completed_state_is_written()
    {
        var spec = JobInputs.WordCount(_folder, "held", seed: 9, wordsPerFile: 400);
        var job = _cluster.Client.GetGrain<IJobGrain>("held");
        await job.Submit(spec);
        await _hold.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < 5; i++)
        {
            var status = await job.GetStatus();
            Assert.Equal(JobState.Running, status.State);
            Assert.Null(await job.GetResult());
            await Task.Delay(20);
        }

        _hold.Release.SetResult();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JobStatus end;
        while ((end = await job.GetStatus()).State == JobState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job did not complete after its final write was released");
            await Task.Delay(20);
        }

        Assert.Equal(JobState.Completed, end.State);
        JobInputs.AssertSameResult(JobInputs.Expected(spec, _folder.Path), await job.GetResult());
    }
}
