using Orleans;

namespace OrleansCompute.Grains.Api;

/// <summary>Implements <see cref="IClusterStatisticsGrain"/> in memory: the latest report per silo, dropped after a minute of silence.</summary>
public sealed class ClusterStatisticsGrain : Grain, IClusterStatisticsGrain
{
    private static readonly TimeSpan s_stale = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, SiloStatisticsReport> _reports = new(StringComparer.Ordinal);

    public Task Report(SiloStatisticsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports[report.Silo] = report;
        return Task.CompletedTask;
    }

    public Task<List<SiloStatisticsReport>> GetAll()
    {
        var cutoff = DateTimeOffset.UtcNow - s_stale;
        foreach (var stale in _reports.Where(r => r.Value.At < cutoff).Select(r => r.Key).ToList())
        {
            _reports.Remove(stale);
        }

        return Task.FromResult(_reports.Values.OrderBy(r => r.Silo, StringComparer.Ordinal).ToList());
    }
}
