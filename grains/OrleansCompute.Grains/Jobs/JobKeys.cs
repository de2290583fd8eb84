using Orleans;
using System.Globalization;

namespace OrleansCompute.Grains.Jobs;

/// <summary>Grain keys of a job's partitions and aggregators.</summary>
public static class JobKeys
{
    public static string Partition(string jobId, int splitId) => string.Create(CultureInfo.InvariantCulture, $"{jobId}/{splitId}");

    public static string Aggregator(string jobId, int shard) => string.Create(CultureInfo.InvariantCulture, $"{jobId}/{shard}");
}
