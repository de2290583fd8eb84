using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Hosting;

/// <summary>
/// Once the silo is active, pings every job the registry lists as running, so a job whose silos all stopped (a full
/// cluster restart) resumes without waiting for a client call. Runs in the background: start-up does not wait for it.
/// </summary>
internal sealed partial class JobResumer(IGrainFactory grains, ILogger<JobResumer> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobResumer), ServiceLifecycleStage.Active,
            started =>
            {
                _ = Task.Run(() => ResumeAsync(_stopping.Token), CancellationToken.None);
                return Task.CompletedTask;
            },
            stopped =>
            {
                _stopping.Cancel();
                return Task.CompletedTask;
            });

    public void Dispose() => _stopping.Dispose();

    private async Task ResumeAsync(CancellationToken stoppingToken)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        for (var replica = 0; replica < IJobRegistryGrain.Replicas; replica++)
        {
            try
            {
                jobs.UnionWith(await grains.GetGrain<IJobRegistryGrain>(replica).GetRunningJobs().WaitAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRegistryUnavailable(logger, replica, ex.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        foreach (var job in jobs)
        {
            try
            {
                await grains.GetGrain<IJobGrain>(job).Ping().WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPingFailed(logger, job, ex.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (jobs.Count > 0)
        {
            LogResumed(logger, jobs.Count);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Pinged {Count} running job(s) so they resume")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "Job registry replica {Replica} did not answer: {Reason}")]
    private static partial void LogRegistryUnavailable(ILogger logger, int replica, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Running job {Job} did not answer its resume ping: {Reason}")]
    private static partial void LogPingFailed(ILogger logger, string job, string reason);
}
