using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Grains.Api;
using OrleansCompute.Runtime;
using OrleansCompute.Telemetry;

namespace OrleansCompute.Api;

/// <summary>
/// Runs in every silo (co-hosted API or not): every <see cref="ApiOptions.StatisticsInterval"/> it posts the
/// silo's activations by grain type and calls per second to the cluster statistics grain, which the cluster
/// view reads. Our runtime has no per-silo addressing for grain calls, so silos push instead of being polled.
/// </summary>
internal sealed partial class SiloStatisticsReporter(
    SiloStatistics statistics,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IOptions<ApiOptions> options,
    ILogger<SiloStatisticsReporter> logger) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public string SiloKey => silo.SiloAddress?.ToParsableString() ?? "embedded:" + silo.Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastCalls = statistics.TotalCalls;
        var lastAt = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(options.Value.StatisticsInterval);
        var failures = 0;
        do
        {
            var calls = statistics.TotalCalls;
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
            var report = new SiloStatisticsReport
            {
                Silo = SiloKey,
                Name = silo.Name,
                ActivationsByType = statistics.ActivationsByType(),
                CallsPerSecond = seconds > 0.01 ? Math.Round((calls - lastCalls) / seconds, 1) : 0,
                At = DateTimeOffset.UtcNow,
                StartedAt = _startedAt,
            };
            lastCalls = calls;
            lastAt = now;
            try
            {
                await grains.GetGrain<IClusterStatisticsGrain>(0).Report(report);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (failures++ % 30 == 0)
                {
                    LogReportFailed(logger, ex);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(1, LogLevel.Debug, "Could not report silo statistics; retrying")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
