using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Entry point for ingesting into a dataset (grain key = dataset name). Routes each event to a partition
/// grain by key hash and acknowledges once every partition persisted its part and pushed it to the
/// aggregators. A failed call may have applied part of the batch: re-send the same batch (same producer
/// id and sequence) until it is acknowledged — nothing is counted twice.
/// </summary>
public interface IStreamIngestGrain : IGrainWithStringKey
{
    Task<IngestAck> Ingest(IngestBatch batch);
}
