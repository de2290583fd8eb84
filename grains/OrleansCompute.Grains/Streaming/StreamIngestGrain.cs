using Orleans.Concurrency;
using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamIngestGrain"/>: validates, splits by partition, applies in parallel. Reentrant
/// (it holds no state), so each worker keeps many batches in flight: that is what lets the partitions
/// group-commit the batches of concurrent producers.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class StreamIngestGrain : Grain, IStreamIngestGrain
{
    public async Task<IngestAck> Ingest(IngestBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (string.IsNullOrWhiteSpace(batch.ProducerId))
        {
            throw new ArgumentException("The batch has no producer id: exactly-once needs one.", nameof(batch));
        }

        if (batch.Events is null)
        {
            throw new ArgumentException("The batch has no event list.", nameof(batch));
        }

        var byPartition = new List<IngestEvent>?[StreamTopology.Partitions];
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i] ?? throw new ArgumentException($"Event {i} of the batch is null.", nameof(batch));
            if (string.IsNullOrEmpty(e.Key))
            {
                throw new ArgumentException($"Event {i} of the batch has no key.", nameof(batch));
            }

            if (e.Values is null)
            {
                throw new ArgumentException($"Event {i} of the batch has no values dictionary (use an empty one).", nameof(batch));
            }

            (byPartition[StreamTopology.PartitionOf(e.Key)] ??= new List<IngestEvent>(batch.Events.Count / 8)).Add(e);
        }

        var dataset = this.GetPrimaryKeyString();
        var calls = new List<Task<int>>(StreamTopology.Partitions);
        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } events)
            {
                calls.Add(GrainFactory.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, p)).Apply(batch.ProducerId, batch.Sequence, events));
            }
        }

        var total = 0;
        foreach (var applied in await Task.WhenAll(calls))
        {
            total += applied;
        }

        return new IngestAck { Sequence = batch.Sequence, Applied = total, Duplicates = batch.Events.Count - total };
    }
}
