using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansCompute.Api.Security;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Security;

namespace OrleansCompute.Silo;

/// <summary>Logs where state lives and where the silo listens once it started, then runs a grain-state self-check.</summary>
internal sealed partial class StartupReport(IGrainFactory grains, IConfiguration configuration, ILocalSiloDetails silo,
    DataRootOptions dataRoots, ILogger<StartupReport> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storage = SiloConfiguration.Storage(configuration);
        var clustering = SiloConfiguration.Clustering(configuration);
        LogStorage(logger, storage.Provider, storage.Provider.ToLowerInvariant() switch
        {
            "memory" => "(process memory; lost on exit)",
            "redis" => SecretRedactor.RedactConnectionString(storage.ConnectionString ?? clustering.ConnectionString ?? "?"),
            "azureblob" => $"container '{storage.ContainerName}'",
            _ => SiloConfiguration.DatabasePath(storage),
        });
        LogDataRoots(logger, string.Join(", ", dataRoots.Roots));
        if (ClusterTls.Read(configuration) is { } tls)
        {
            var (certificate, _) = ClusterTls.Load(tls);
            LogTls(logger, certificate.Subject, ClusterTrust.Fingerprint(certificate),
                string.Join(" and ", new[] { tls.CaPath is { Length: > 0 } ca ? $"CA file {ca}" : null, tls.PinnedCertificates.Count > 0 ? $"{tls.PinnedCertificates.Count} pinned certificate(s)" : null }.OfType<string>()));
        }
        else
        {
            LogPlainTcp(logger);
        }
        if (string.Equals(clustering.Provider, "redis", StringComparison.OrdinalIgnoreCase))
        {
            LogClustered(logger, silo.SiloAddress.ToParsableString(), silo.ClusterId, SecretRedactor.RedactConnectionString(clustering.ConnectionString ?? "?"));
        }
        else
        {
            LogEmbedded(logger, silo.SiloAddress.ToParsableString());
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

    [LoggerMessage(7, LogLevel.Information, "Silo and gateway connections: mutual TLS as '{Subject}' (SHA-256 {Fingerprint}), trusting {Trust}")]
    private static partial void LogTls(ILogger logger, string subject, string fingerprint, string trust);

    [LoggerMessage(8, LogLevel.Information, "Silo and gateway connections: plain TCP (OrleansCompute:Tls:Enabled=false): for one machine or a trusted network only")]
    private static partial void LogPlainTcp(ILogger logger);

    [LoggerMessage(6, LogLevel.Information, "Job inputs are read under: {Roots} (OrleansCompute:Compute:DataRoots; default: the working directory)")]
    private static partial void LogDataRoots(ILogger logger, string roots);

    [LoggerMessage(5, LogLevel.Warning, "Self-check attempt {Attempt} failed (retrying): {Reason}")]
    private static partial void LogSelfCheckRetry(ILogger logger, int attempt, string reason);

    [LoggerMessage(1, LogLevel.Information, "Grain state: {Provider} at {Location}")]
    private static partial void LogStorage(ILogger logger, string provider, string location);

    [LoggerMessage(2, LogLevel.Information, "One embedded Orleans silo {Silo} (localhost clustering, loopback only). Set OrleansCompute:Clustering:Provider=redis to form a cluster")]
    private static partial void LogEmbedded(ILogger logger, string silo);

    [LoggerMessage(4, LogLevel.Information, "Clustered as {Silo} in cluster '{ClusterId}' (Orleans membership in Redis at {Redis})")]
    private static partial void LogClustered(ILogger logger, string silo, string clusterId, string redis);

    [LoggerMessage(3, LogLevel.Information, "Ready. Self-check: counter grain 'silo-starts' = {Starts} (grows by one per silo start against the same storage). Press Ctrl+C to stop.")]
    private static partial void LogReady(ILogger logger, long starts);
}
