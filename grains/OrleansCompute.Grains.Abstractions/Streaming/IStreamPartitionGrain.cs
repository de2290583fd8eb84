namespace OrleansCompute.Grains.Streaming;

/// <summary>One partition of a dataset (key <c>{dataset}/{partition}</c>): running totals of its keys, persisted.</summary>
public interface IStreamPartitionGrain : IGrainWithStringKey
{
    /// <summary>Applies the events unless this producer's sequence was applied already; returns how many were applied.</summary>
    Task<int> Apply(string producerId, long sequence, List<IngestEvent> events);

    Task<KeyTotals?> GetTotals(string key);
}
