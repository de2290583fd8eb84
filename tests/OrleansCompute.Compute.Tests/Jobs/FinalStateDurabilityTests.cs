using Microsoft.Extensions.DependencyInjection;
using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Runtime;
using OrleansCompute.Storage;
using OrleansCompute.TestingHost;

namespace OrleansCompute.Compute.Tests.Jobs;

/// <summary>
/// A job reports Completed (and hands out its result) only once that state is durable: while the write of the
/// final state is held back by the storage, status still says Running and the result is not there, so a crash
/// during the write can never take back a result a caller has already seen.
/// </summary>
public sealed class FinalStateDurabilityTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TaskCompletionSource _finalWriteStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseFinalWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        TestCluster? cluster = null;
        cluster = new TestClusterBuilder(1)
            .ConfigureSilos(silo =>
            {
                silo.Services.AddSingleton(new DataRootOptions { Roots = { _folder.Path } });
                silo.Services.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DefaultStorageProviderName,
                    new HoldFinalJobWrite(cluster!.Storage, _finalWriteStarted, _releaseFinalWrite.Task));
            })
            .Build();
        _cluster = cluster;
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        _releaseFinalWrite.TrySetResult();
        await _cluster.DisposeAsync();
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Status_and_result_report_completed_only_after_the_completed_state_is_written()
    {
        var spec = JobInputs.WordCount(_folder, "held", seed: 9, wordsPerFile: 400);
        var job = _cluster.Client.GetGrain<IJobGrain>("held");
        await job.Submit(spec);
        await _finalWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < 5; i++)
        {
            var status = await job.GetStatus();
            Assert.Equal(JobState.Running, status.State);
            Assert.Null(await job.GetResult());
            await Task.Delay(20);
        }

        _releaseFinalWrite.SetResult();
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

    /// <summary>Holds a job grain's write of a final (Completed) state until released; every other call goes straight through.</summary>
    private sealed class HoldFinalJobWrite(IGrainStorage inner, TaskCompletionSource started, Task release) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (grainState.State is JobGrainState { State: JobState.Completed })
            {
                started.TrySetResult();
                await release;
            }

            await inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
