using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Grains.Api;

namespace OrleansCompute.Api;

/// <summary>
/// Where the API runs and whether it can serve: in a silo (co-hosted; ready once the host started, which
/// includes joining the cluster, and a grain-state round trip answers) or in a cluster client (ready once the
/// same round trip answers through a gateway). Readiness results are cached for one second.
/// </summary>
public sealed class ApiNode(IServiceProvider services, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private volatile CachedResult? _cached;

    /// <summary>The silo's identity when co-hosted; null in a standalone API host.</summary>
    public ILocalSiloDetails? Silo { get; } = services.GetService<ILocalSiloDetails>();

    public string Name => Silo is null ? "client" : Silo.SiloAddress.ToParsableString();

    public async Task<ReadinessResult> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Draining (SIGTERM): a load balancer or Kubernetes takes the node out of rotation while it finishes its work.
            return new ReadinessResult(false, "The node is stopping: it finishes the requests it is serving; send new ones to another node.", ["host: stopping"]);
        }

        if (_cached is { } c && Stopwatch.GetElapsedTime(c.At) < TimeSpan.FromSeconds(1))
        {
            return c.Result;
        }

        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && Stopwatch.GetElapsedTime(again.At) < TimeSpan.FromSeconds(1))
            {
                return again.Result;
            }

            var result = await ProbeAsync();
            _cached = new CachedResult(Stopwatch.GetTimestamp(), result);
            return result;
        }
        finally
        {
            _probing.Release();
        }
    }

    public void Dispose() => _probing.Dispose();

    private async Task<ReadinessResult> ProbeAsync()
    {
        var checks = new List<string>();
        if (Silo is null && services.GetService<IClusterConnectionState>() is { IsConnected: false } connection)
        {
            return new ReadinessResult(false, $"The API host is not connected to the cluster: {connection.Status}.", [$"client: {connection.Status}"]);
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return new ReadinessResult(false, "The host is still starting.", checks);
        }

        // A co-hosted silo has joined its cluster once the host started; a client has connected to a gateway.
        checks.Add(Silo is not null ? $"silo: joined cluster '{Silo.ClusterId}' as {Silo.SiloAddress.ToParsableString()}"
            : $"client: {services.GetService<IClusterConnectionState>()?.Status ?? "connected to the cluster"}");

        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await services.GetRequiredService<IGrainFactory>().GetGrain<IHealthProbeGrain>(Name).RoundTrip().WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            return new ReadinessResult(false, $"Grain storage did not answer a write/read round trip: {ex.GetType().Name}: {ex.Message}", checks);
        }

        checks.Add($"storage: write/read round trip {watch.Elapsed.TotalMilliseconds:0} ms");
        return new ReadinessResult(true, null, checks);
    }
}

public sealed record ReadinessResult(bool Ready, string? Problem, List<string> Checks);

/// <summary>A readiness result and when it was taken (swapped as one reference).</summary>
internal sealed record CachedResult(long At, ReadinessResult Result);
