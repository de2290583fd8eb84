using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using OrleansCompute.Api;

namespace OrleansCompute.ApiHost;

/// <summary>
/// Starts the Orleans cluster client in the background, so the API host serves (and answers <c>/health/ready</c> and
/// <c>/api/…</c> with 503) before any silo is up. Orleans's own hosted service would start the client inside host
/// start-up: no readiness answer until a gateway is reached, and a SIGTERM before then ends start-up with an exception.
/// <see cref="AddClusterClient"/> therefore takes the client's <see cref="IHostedService"/> registration out and this service
/// starts and stops it instead; as the client's <see cref="IClientConnectionRetryFilter"/> it keeps retrying until a
/// gateway answers or the host stops, and as its <see cref="IClusterConnectionStatusObserver"/> it tracks whether a
/// gateway is left (<see cref="IClusterConnectionState"/> for the API).
/// </summary>
internal sealed partial class ClusterConnection(IServiceProvider services, string cluster, ILogger<ClusterConnection> logger)
    : BackgroundService, IClusterConnectionState, IClientConnectionRetryFilter, IClusterConnectionStatusObserver
{
    private IHostedService? _client;
    private volatile bool _started;
    private volatile bool _connected;
    private volatile string _status = "connecting (no gateway reached yet)";
    private int _attempts;

    public bool IsConnected => _connected;

    public string Status => _status;

    /// <summary>
    /// Adds the Orleans cluster client (<c>UseOrleansClient</c> with <paramref name="configure"/>) to <paramref name="builder"/>,
    /// started by this service rather than by Orleans's hosted service (its registration stands in for nothing), and registers
    /// this as the client's retry filter, status observer and the API's connection state.
    /// </summary>
    public static void AddClusterClient(IHostApplicationBuilder builder, Action<IClientBuilder> configure, string cluster)
    {
        var services = builder.Services;
        var before = services.Where(d => d.ServiceType == typeof(IHostedService)).ToHashSet();
        builder.UseOrleansClient(configure);
        var added = services.Where(d => d.ServiceType == typeof(IHostedService) && !before.Contains(d)).ToList();
        if (added.Count == 0)
        {
            throw new InvalidOperationException("Expected UseOrleansClient to register a hosted service (the cluster client), found none.");
        }

        // The client's own configuration may add hosted services besides the client (mutual TLS binds its log this way): each
        // stays, except the one that turns out to be the cluster client, which this service starts instead.
        foreach (var descriptor in added)
        {
            services[services.IndexOf(descriptor)] = ServiceDescriptor.Singleton<IHostedService>(sp =>
                Create(sp, descriptor) is var hosted && hosted is IClusterClient ? NotStartedHere.Instance : hosted);
        }

        services.AddSingleton(sp => new ClusterConnection(sp, cluster, sp.GetRequiredService<ILogger<ClusterConnection>>()));
        services.AddSingleton<IClusterConnectionState>(sp => sp.GetRequiredService<ClusterConnection>());
        services.AddSingleton<IClientConnectionRetryFilter>(sp => sp.GetRequiredService<ClusterConnection>());
        services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnection>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterConnection>());
    }

    private static IHostedService Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IHostedService)(descriptor.ImplementationInstance ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The cluster client is Orleans's hosted service (see AddClusterClient); its start returns once a gateway answered and the
        // cluster's manifest arrived, retrying through ShouldRetryConnectionAttempt until then.
        _client = services.GetRequiredService<IClusterClient>() as IHostedService
            ?? throw new InvalidOperationException("The Orleans cluster client is not a hosted service: this host cannot start it.");
        LogConnecting(logger, cluster);
        try
        {
            await _client.StartAsync(stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            LogStoppedBeforeConnecting(logger);
            return;
        }

        _started = true;
        _connected = true;
        _status = "connected to the cluster";
        LogConnected(logger, cluster, _attempts + 1);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client is not null && _started)
        {
            await _client.StopAsync(cancellationToken);
        }
    }

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        _status = $"no gateway reached yet after {attempt} attempt(s): {exception.GetType().Name}: {exception.Message.TrimEnd('.', ' ')}";
        if (attempt == 1 || attempt % 10 == 0)
        {
            LogRetrying(logger, attempt, exception.Message);
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (!_started)
        {
            return;
        }

        _connected = currentNumberOfGateways > 0;
        _status = currentNumberOfGateways > 0 ? $"connected through {currentNumberOfGateways} gateway(s)" : "every gateway was lost; reconnecting";
        LogGateways(logger, currentNumberOfGateways, previousNumberOfGateways);
    }

    public void NotifyClusterConnectionLost()
    {
        if (!_started)
        {
            return;
        }

        _connected = false;
        _status = "the connection to the cluster was lost; reconnecting";
        LogLost(logger);
    }

    /// <summary>Stands in for the cluster client's hosted-service registration: <see cref="ClusterConnection"/> starts the client.</summary>
    private sealed class NotStartedHere : IHostedService
    {
        public static readonly NotStartedHere Instance = new();

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information, "Connecting to {Cluster}")]
    private static partial void LogConnecting(ILogger logger, string cluster);

    [LoggerMessage(2, LogLevel.Information, "Connected to {Cluster} (attempt {Attempt})")]
    private static partial void LogConnected(ILogger logger, string cluster, int attempt);

    [LoggerMessage(3, LogLevel.Warning, "Cannot reach the cluster yet (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);

    [LoggerMessage(4, LogLevel.Information, "Stopped before a gateway was reached")]
    private static partial void LogStoppedBeforeConnecting(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "Gateways: {Current} (were {Previous})")]
    private static partial void LogGateways(ILogger logger, int current, int previous);

    [LoggerMessage(6, LogLevel.Warning, "Lost the connection to the cluster; the client reconnects when a gateway answers")]
    private static partial void LogLost(ILogger logger);
}
