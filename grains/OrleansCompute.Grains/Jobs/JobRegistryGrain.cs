using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans;
using Orleans.Runtime;

namespace OrleansCompute.Grains.Jobs;

/// <summary>
/// A replica of the running-job registry. Its timer pings every job it holds; a ping activates the job grain on
/// a live silo, and the activation resumes the job from persisted progress. The jobs' own timers call
/// <see cref="Register"/> on every replica each tick, which re-activates a replica whose silo died.
/// </summary>
[Reentrant]
public sealed partial class JobRegistryGrain(
    [PersistentState("jobregistry")] IPersistentState<JobRegistryState> state,
    ILogger<JobRegistryGrain> logger) : Grain, IJobRegistryGrain
{
    private readonly SerialGate _writes = new();
    private readonly HashSet<string> _pinging = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = JobRunners.Options(ServiceProvider).TickInterval;
        _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public async Task Register(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (!state.State.Jobs.Contains(jobId, StringComparer.Ordinal))
        {
            await Update(jobs => jobs.Add(jobId));
        }
    }

    public async Task Unregister(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (state.State.Jobs.Contains(jobId, StringComparer.Ordinal))
        {
            await Update(jobs => jobs.RemoveAll(j => string.Equals(j, jobId, StringComparison.Ordinal)));
        }
    }

    public Task<IReadOnlyList<string>> GetRunningJobs() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Jobs]);

    private async Task Update(Action<List<string>> change)
    {
        await _writes.Run(async () =>
        {
            try
            {
                change(state.State.Jobs);
                await state.WriteStateAsync();
            }
            catch
            {
                DeactivateOnIdle(); // re-read on the next activation rather than guess what was stored
                throw;
            }
        });
    }

    private Task Tick(CancellationToken cancellationToken)
    {
        foreach (var jobId in state.State.Jobs.ToArray()) // a finished ping may unregister a job
        {
            if (_pinging.Add(jobId))
            {
                _ = PingAsync(jobId);
            }
        }

        return Task.CompletedTask;
    }

    private async Task PingAsync(string jobId)
    {
        try
        {
            if (!await GrainFactory.GetGrain<IJobGrain>(jobId).Ping())
            {
                await Unregister(jobId);
            }
        }
#pragma warning disable CA1031 // a failed ping is retried on the next tick (e.g. the job's silo is not declared dead yet)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPingFailed(logger, jobId, ex);
        }
        finally
        {
            _pinging.Remove(jobId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ping of job {JobId} failed; retrying on the next tick")]
    private static partial void LogPingFailed(ILogger logger, string jobId, Exception exception);
}
