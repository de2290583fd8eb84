using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansCompute.Grains.Api;
using OrleansCompute.Membership;
using OrleansCompute.Runtime;
using OrleansCompute.Telemetry;

namespace OrleansCompute.Api;

/// <summary>
/// Where the API runs and whether it can serve: in a silo (co-hosted; ready once the host started, which
/// includes joining the cluster, and a grain-state round trip answers) or in a cluster client (ready once a
/// gateway is connected and the same round trip answers). Readiness results are cached for one second.
/// </summary>
public sealed class ApiNode(IServiceProvider services, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private volatile CachedResult? _cached;

    /// <summary>The silo's identity when co-hosted; null in a standalone API host.</summary>
    public ILocalSiloDetails? Silo { get; } = services.GetService<SiloStatistics>() is null ? null : services.GetService<ILocalSiloDetails>();

    public string Name => Silo is null ? "client" : Silo.SiloAddress?.ToParsableString() ?? "embedded:" + Silo.Name;

    /// <summary>The membership table, when the cluster has one (not for one embedded silo).</summary>
    public IMembershipTable? Membership { get; } = services.GetService<IMembershipTable>();

    public async Task<ReadinessResult> CheckReadyAsync(CancellationToken cancellationToken)
    {
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
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return new ReadinessResult(false, "The host is still starting.", checks);
        }

        if (Silo is not null)
        {
            if (Membership is not null && Silo.SiloAddress is null)
            {
                return new ReadinessResult(false, "The silo has not joined the cluster yet.", checks);
            }

            checks.Add(Silo.SiloAddress is null ? "silo: embedded (no cluster), started" : $"cluster: joined as {Silo.SiloAddress.ToParsableString()}");
        }
        else if (services.GetService<IClusterClient>() is Client.ClusterClient client)
        {
            if (client.ConnectedGateways == 0)
            {
                return new ReadinessResult(false, "The API host is not connected to any silo gateway.", checks);
            }

            checks.Add($"gateways: {client.ConnectedGateways} connected");
        }

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
