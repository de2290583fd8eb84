using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Client;

namespace OrleansCompute.ApiHost;

/// <summary>
/// Connects the cluster client in the background, retrying until a gateway answers, so the API host can start
/// before the silos (<c>/health/ready</c> says 503 until then). Disposes the client on shutdown.
/// </summary>
internal sealed partial class ClusterConnection(ClusterClient client, ILogger<ClusterConnection> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await client.ConnectAsync(stoppingToken);
                LogConnected(logger, client.ConnectedGateways);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 1 || attempt % 10 == 0)
                {
                    LogRetrying(logger, attempt, ex.Message);
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await client.DisposeAsync();
    }

    [LoggerMessage(1, LogLevel.Information, "Connected to the cluster through {Gateways} gateway(s)")]
    private static partial void LogConnected(ILogger logger, int gateways);

    [LoggerMessage(2, LogLevel.Warning, "Cannot reach the cluster yet (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
