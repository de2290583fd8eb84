using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Counters;

namespace OrleansCompute.Silo;

/// <summary>
/// Says where state goes and proves the silo works end to end: every start increments a persisted
/// counter grain, so the number it logs grows across restarts with the same data folder.
/// </summary>
internal sealed partial class StartupReport(IGrainFactory grains, IConfiguration configuration, OrleansCompute.Runtime.ILocalSiloDetails silo,
    OrleansCompute.Grains.Compute.DataRootOptions dataRoots, ILogger<StartupReport> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storage = configuration.GetSection("OrleansCompute:Storage").Get<StorageSettings>() ?? new StorageSettings();
        LogStorage(logger, storage.Provider, storage.Provider.ToLowerInvariant() switch
        {
            "memory" => "(process memory; lost on exit)",
            "redis" => storage.ConnectionString ?? configuration["OrleansCompute:Clustering:ConnectionString"] ?? "?",
            _ => SiloConfiguration.DatabasePath(storage),
        });
        LogDataRoots(logger, string.Join(", ", dataRoots.Roots));
        if (silo.SiloAddress is { } address)
        {
            LogClustered(logger, address.ToString());
        }
        else
        {
            LogEndpoints(logger);
        }

        // The self-check grain may live on a silo that just died and is not yet declared dead (a few seconds):
        // retry rather than let the exception stop this host (a BackgroundService failure stops it).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var starts = await grains.GetGrain<ICounterGrain>("silo-starts").Add(1);
                LogReady(logger, starts);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < 60)
            {
                LogSelfCheckRetry(logger, attempt, ex.Message);
                await Task.Delay(500, stoppingToken);
            }
        }
    }

    [LoggerMessage(6, LogLevel.Information, "Job inputs are read under: {Roots} (OrleansCompute:Compute:DataRoots; default: the working directory)")]
    private static partial void LogDataRoots(ILogger logger, string roots);

    [LoggerMessage(5, LogLevel.Warning, "Self-check attempt {Attempt} failed (retrying): {Reason}")]
    private static partial void LogSelfCheckRetry(ILogger logger, int attempt, string reason);

    [LoggerMessage(1, LogLevel.Information, "Grain state: {Provider} at {Location}")]
    private static partial void LogStorage(ILogger logger, string provider, string location);

    [LoggerMessage(2, LogLevel.Information, "Listening: no ports (single embedded silo). Set OrleansCompute:Clustering:Provider=redis to form a cluster with silo and gateway ports")]
    private static partial void LogEndpoints(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Clustered as {Silo} (membership and grain directory in Redis)")]
    private static partial void LogClustered(ILogger logger, string silo);

    [LoggerMessage(3, LogLevel.Information, "Ready. Self-check: counter grain 'silo-starts' = {Starts} (grows by one per silo start against the same storage). Press Ctrl+C to stop.")]
    private static partial void LogReady(ILogger logger, long starts);
}
