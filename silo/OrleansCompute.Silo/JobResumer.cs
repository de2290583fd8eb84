using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Silo;

/// <summary>
/// After the silo starts, pings every job the job registry lists as running, so jobs resume after a
/// whole-cluster restart (or a silo death that took the job and every registry replica) without a client
/// having to poll them. Idempotent: a job that is already running just answers the ping.
/// </summary>
internal sealed partial class JobResumer(IGrainFactory grains, ILogger<JobResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        for (var replica = 0; replica < IJobRegistryGrain.Replicas; replica++)
        {
            try
            {
                jobs.UnionWith(await grains.GetGrain<IJobRegistryGrain>(replica).GetRunningJobs());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRegistryUnavailable(logger, replica, ex.Message);
            }
        }

        foreach (var job in jobs)
        {
            try
            {
                await grains.GetGrain<IJobGrain>(job).Ping();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPingFailed(logger, job, ex.Message);
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
