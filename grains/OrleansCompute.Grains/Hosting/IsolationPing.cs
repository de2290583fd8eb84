using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace OrleansCompute.Hosting;

/// <summary>
/// A per-silo grain service the <see cref="IsolationWatchdog"/> pings on every other active silo: one tiny message over
/// the silo-to-silo connections grain calls use, so "reachable" means what it means for the grains.
/// </summary>
public interface IIsolationPingService : IGrainService
{
    Task Ping();
}

internal sealed class IsolationPingService(GrainId id, Silo silo, ILoggerFactory loggerFactory)
    : GrainService(id, silo, loggerFactory), IIsolationPingService
{
    public Task Ping() => Task.CompletedTask;
}

/// <summary>Calls <see cref="IIsolationPingService.Ping"/> on a chosen silo.</summary>
internal sealed class IsolationPingClient(IServiceProvider services) : GrainServiceClient<IIsolationPingService>(services)
{
    public Task Ping(SiloAddress silo) => GetGrainService(silo).Ping();
}
