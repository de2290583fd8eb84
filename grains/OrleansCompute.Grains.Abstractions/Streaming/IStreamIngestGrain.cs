using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Entry point for ingesting into a dataset (grain key = dataset name). Routes each event to a partition
/// grain by key hash and acknowledges once every partition persisted its part and pushed it to the
/// aggregators. A failed call may have applied part of the batch: re-send the same batch (same producer
/// id, sequence and events) until it is acknowledged — nothing is counted twice. The batch is judged as a whole by a
/// fingerprint of its events (keys and values; not their order or timestamps) that every partition records: other events
/// under a used (producer, sequence) throw <see cref="IngestConflictException"/>; a value beyond
/// ±<see cref="IngestEvent.MaxAbsValue"/> or not finite throws <see cref="ArgumentException"/> naming the event.
/// </summary>
public interface IStreamIngestGrain : IGrainWithStringKey
{
    Task<IngestAck> Ingest(IngestBatch batch);
}
