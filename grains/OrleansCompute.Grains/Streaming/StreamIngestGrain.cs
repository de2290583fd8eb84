using OrleansCompute.Concurrency;

namespace OrleansCompute.Grains.Streaming;

/// <summary>Implements <see cref="IStreamIngestGrain"/>: validates, splits by partition, applies in parallel.</summary>
[StatelessWorker]
public sealed class StreamIngestGrain : Grain, IStreamIngestGrain
{
    public async Task<IngestAck> Ingest(IngestBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (string.IsNullOrWhiteSpace(batch.ProducerId))
        {
            throw new ArgumentException("The batch has no producer id: exactly-once needs one.", nameof(batch));
        }

        var byPartition = new Dictionary<int, List<IngestEvent>>();
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i] ?? throw new ArgumentException($"Event {i} of the batch is null.", nameof(batch));
            if (string.IsNullOrEmpty(e.Key))
            {
                throw new ArgumentException($"Event {i} of the batch has no key.", nameof(batch));
            }

            var partition = StreamTopology.PartitionOf(e.Key);
            if (!byPartition.TryGetValue(partition, out var list))
            {
                byPartition[partition] = list = [];
            }

            list.Add(e);
        }

        var dataset = this.GetPrimaryKeyString();
        var applied = await Task.WhenAll(byPartition.Select(p => GrainFactory
            .GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, p.Key))
            .Apply(batch.ProducerId, batch.Sequence, p.Value)));
        var total = applied.Sum();
        return new IngestAck { Sequence = batch.Sequence, Applied = total, Duplicates = batch.Events.Count - total };
    }
}
