using OrleansCompute.Activation;

namespace OrleansCompute.Telemetry;

/// <summary>
/// What a silo reports about itself for the cluster view: live activations by grain type and the number of
/// grain calls it has executed since it started. Read on demand (a snapshot walk over the catalog).
/// </summary>
public sealed class SiloStatistics
{
    private readonly Catalog _catalog;

    internal SiloStatistics(Catalog catalog, ActivationServices shared)
    {
        _catalog = catalog;
        Calls = shared.Calls;
    }

    internal CallCounter Calls { get; }

    /// <summary>Grain calls executed by this silo since it started.</summary>
    public long TotalCalls => Calls.Total;

    /// <summary>Live activations (stateless workers included) by grain type.</summary>
    public Dictionary<string, int> ActivationsByType()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var activation in _catalog.Snapshot())
        {
            if (activation.State is ActivationState.Invalid)
            {
                continue;
            }

            var type = activation.GrainId.Type;
            counts[type] = counts.GetValueOrDefault(type) + 1;
        }

        return counts;
    }
}
