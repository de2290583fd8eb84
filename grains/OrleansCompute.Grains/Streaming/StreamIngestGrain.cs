using System.Globalization;
using Orleans.Concurrency;
using Orleans;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamIngestGrain"/>: validates, fingerprints, splits by partition, applies in parallel.
/// Reentrant (it holds no state), so each worker keeps many batches in flight: that is what lets the partitions
/// group-commit the batches of concurrent producers.
/// </summary>
/// <remarks>
/// Every batch goes to <em>all</em> partitions of the dataset, those without events of it included (an empty list), with
/// the batch's content fingerprint (<see cref="BatchFingerprint"/>). So every partition records every (producer, sequence)
/// and judges a re-send the same way: a batch whose sequence was used for other events is refused as a whole, even when
/// its keys fall in partitions the first batch never touched. A batch of 1,000 events reaches all 16 partitions anyway;
/// small batches pay up to 16 calls instead of one per partition they touch.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class StreamIngestGrain : Grain, IStreamIngestGrain
{
    private static readonly List<IngestEvent> s_none = [];

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
        ulong fingerprint = 0;
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

            ulong values = 0;
            foreach (var (name, value) in e.Values)
            {
                // Bounded values keep every sum finite (see IngestEvent.MaxAbsValue); !(x <= max) also refuses NaN.
                if (!(Math.Abs(value) <= IngestEvent.MaxAbsValue))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"Event {i} of the batch: value '{name}' is {value:R}; values must be finite and within ±{IngestEvent.MaxAbsValue:0e0} so that sums cannot overflow."),
                        nameof(batch));
                }

                values = unchecked(values + BatchFingerprint.Value(name, value));
            }

            fingerprint = unchecked(fingerprint + BatchFingerprint.OfEvent(e.Key, values));
            (byPartition[StreamTopology.PartitionOf(e.Key)] ??= new List<IngestEvent>(batch.Events.Count / 8)).Add(e);
        }

        var batchFingerprint = BatchFingerprint.Finish(fingerprint, batch.Events.Count);
        var dataset = this.GetPrimaryKeyString();
        var calls = new Task<int>[StreamTopology.Partitions];
        for (var p = 0; p < calls.Length; p++)
        {
            calls[p] = GrainFactory.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, p))
                .Apply(batch.ProducerId, batch.Sequence, batchFingerprint, byPartition[p] ?? s_none);
        }

        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception) when (AllFailuresAreConflicts(calls) is { } conflict)
        {
            // The partitions agree unless a first send under this sequence failed part-way; then report what was counted.
            var applied = 0;
            foreach (var call in calls)
            {
                applied += call.IsCompletedSuccessfully ? call.Result : 0;
            }

            throw new IngestConflictException(conflict.ProducerId, conflict.Sequence, conflict.HighestSequence, conflict.BelowWindow, applied);
        }

        var total = 0;
        foreach (var call in calls)
        {
            total += call.Result;
        }

        return new IngestAck { Sequence = batch.Sequence, Applied = total, Duplicates = batch.Events.Count - total };
    }

    /// <summary>The conflict to report when every failed call failed with one (highest sequence over all of them), else null.</summary>
    private static IngestConflictException? AllFailuresAreConflicts(Task<int>[] calls)
    {
        IngestConflictException? first = null;
        var highest = long.MinValue;
        var belowWindow = false;
        foreach (var call in calls)
        {
            if (call.IsFaulted)
            {
                if (call.Exception.InnerException is not IngestConflictException conflict)
                {
                    return null; // a failure to re-send the batch for: it wins over the verdict
                }

                first ??= conflict;
                highest = Math.Max(highest, conflict.HighestSequence);
                belowWindow |= conflict.BelowWindow;
            }
            else if (call.IsCanceled)
            {
                return null;
            }
        }

        return first is null ? null : new IngestConflictException(first.ProducerId, first.Sequence, highest, belowWindow, 0);
    }
}
