using StableHash = OrleansCompute.Grains.Compute.Jobs.StableHash;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// How a dataset is cut: events go to one of <see cref="Partitions"/> partition grains by key hash, and
/// partitions push per-key deltas to one of <see cref="Shards"/> aggregator grains by a second hash.
/// Fixed numbers: changing them would move keys between grains of an existing dataset.
/// </summary>
public static class StreamTopology
{
    public const int Partitions = 16;

    public const int Shards = 4;

    public static int PartitionOf(string key) => (int)(StableHash.Fnv1a(key) % Partitions);

    public static int ShardOf(string key) => (int)(StableHash.Fnv1a(key, 0x9E3779B9u) % Shards);

    public static string PartitionKey(string dataset, int partition) => $"{dataset}/{partition}";

    public static string ShardKey(string dataset, int shard) => $"{dataset}/{shard}";

    /// <summary>The dataset part of a partition or shard grain key.</summary>
    public static string DatasetOf(string grainKey) => grainKey[..grainKey.LastIndexOf('/')];
}
