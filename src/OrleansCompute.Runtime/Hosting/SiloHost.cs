using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCompute.Activation;
using OrleansCompute.Configuration;
using OrleansCompute.Runtime;

namespace OrleansCompute.Hosting;

/// <summary>
/// Starts and stops the silo with the host: loads generated grain code, starts maintenance sweeps, and
/// on shutdown deactivates every activation (running <c>OnDeactivateAsync</c>) before the host exits.
/// </summary>
/// <remarks>Dependencies are resolved in <see cref="StartAsync"/>, after the host validated options,
/// so a bad setting is reported by validation (naming every bad setting) rather than by a constructor.</remarks>
internal sealed partial class SiloHost(IServiceProvider services, ILogger<SiloHost> logger) : IHostedLifecycleService
{
    private Catalog? _catalog;
    private ActivationMaintenance? _maintenance;
    private Cluster.ClusterSilo? _cluster;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _catalog = services.GetRequiredService<Catalog>();
        _maintenance = services.GetRequiredService<ActivationMaintenance>();
        _catalog.Types.Refresh();
        _maintenance.Start();
        var options = services.GetRequiredService<IOptions<SiloOptions>>().Value;
        LogStarted(logger, options.SiloName, options.ClusterId, options.ServiceId,
            services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value.CollectionAge);
        if (services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(Membership.IMembershipTable)))
        {
            _cluster = services.GetRequiredService<Cluster.ClusterSilo>();
            await _cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Set by a kill: the silo vanishes without deactivating anything.</summary>
    internal bool Killed { get; set; }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_catalog is null || _maintenance is null)
        {
            return;
        }

        // A fenced silo (declared dead, or cut off from the table and the majority) must not write anything more:
        // its grains already live elsewhere, so it drops its activations as a kill would, without OnDeactivateAsync.
        if (Killed || _cluster is { IsServing: false })
        {
            _maintenance.Dispose();
            foreach (var activation in _catalog.Snapshot())
            {
                activation.Abandon();
            }

            return;
        }

        _maintenance.Dispose();
        var activations = _catalog.Snapshot();
        LogStopping(logger, activations.Count);
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down.");
        foreach (var activation in activations)
        {
            activation.Deactivate(reason, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(activations.Select(a => a.Deactivated)).WaitAsync(services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value.DeactivationTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogStopIncomplete(logger, activations.Count(a => !a.Deactivated.IsCompleted));
        }

        if (_cluster is not null)
        {
            await _cluster.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        LogStopped(logger);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Silo {SiloName} started (cluster '{ClusterId}', service '{ServiceId}'; idle grains collected after {CollectionAge})")]
    private static partial void LogStarted(ILogger logger, string siloName, string clusterId, string serviceId, TimeSpan collectionAge);

    [LoggerMessage(2, LogLevel.Information, "Silo stopping: deactivating {Count} activation(s)")]
    private static partial void LogStopping(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Warning, "Silo stop did not wait for {Count} activation(s) to deactivate")]
    private static partial void LogStopIncomplete(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Information, "Silo stopped")]
    private static partial void LogStopped(ILogger logger);
}
