using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Telemetry;

namespace OrleansCompute.Grains.Api;

/// <summary>A per-silo grain service that answers with its silo's <see cref="SiloMetricsSampler"/> ring buffer.</summary>
public interface ISiloMetricsService : IGrainService
{
    Task<SiloMetricsHistory> GetHistory();
}

internal sealed class SiloMetricsService(GrainId id, Silo silo, ILoggerFactory loggerFactory, SiloMetricsSampler sampler)
    : GrainService(id, silo, loggerFactory), ISiloMetricsService
{
    public Task<SiloMetricsHistory> GetHistory() => Task.FromResult(sampler.History());
}

/// <summary>Calls <see cref="ISiloMetricsService.GetHistory"/> on a chosen silo.</summary>
public sealed class SiloMetricsClient(IServiceProvider services) : GrainServiceClient<ISiloMetricsService>(services)
{
    public Task<SiloMetricsHistory> GetHistory(SiloAddress silo) => GetGrainService(silo).GetHistory();
}

/// <summary>Implements <see cref="ISiloMetricsGrain"/>: one grain-service call per silo, each bounded to a few seconds.</summary>
[StatelessWorker]
public sealed class SiloMetricsGrain(SiloMetricsClient client) : Grain, ISiloMetricsGrain
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    public async Task<List<SiloMetricsHistory>> GetHistories(List<SiloAddress> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        var histories = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await client.GetHistory(silo).WaitAsync(s_timeout);
            }
#pragma warning disable CA1031 // a silo that does not answer is reported, the others still are
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return new SiloMetricsHistory { Silo = silo.ToParsableString(), Error = ex is TimeoutException ? "no answer within 3 s" : ex.GetType().Name };
            }
        }));
        return [.. histories];
    }
}
