using OrleansCompute.Runtime;

namespace OrleansCompute.Grains.Streaming;

/// <summary>
/// Implements <see cref="IStreamPartitionGrain"/>. Apply: skip if this (producer, sequence) was applied;
/// otherwise add the events to the totals and to new per-shard deltas; persist; then push every pending
/// delta to its aggregator in order. Only then return: an acknowledged event is persisted here and
/// merged into the global totals. If a push fails the call fails, the delta stays persisted, and the
/// producer's re-send pushes it again (aggregators ignore a delta sequence they already merged).
/// </summary>
public sealed class StreamPartitionGrain([PersistentState("stream-partition")] IPersistentState<StreamPartitionState> state)
    : Grain, IStreamPartitionGrain
{
    public async Task<int> Apply(string producerId, long sequence, List<IngestEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var s = state.State;
        if (!s.Producers.TryGetValue(producerId, out var window))
        {
            s.Producers[producerId] = window = new ProducerWindow();
        }

        var applied = 0;
        if (window.TryAccept(sequence))
        {
            var deltas = new Dictionary<int, StreamDelta>();
            foreach (var e in events)
            {
                if (!s.Totals.TryGetValue(e.Key, out var totals))
                {
                    s.Totals[e.Key] = totals = new KeyTotals();
                }

                totals.Add(e);
                var shard = StreamTopology.ShardOf(e.Key);
                if (!deltas.TryGetValue(shard, out var delta))
                {
                    var next = s.NextDeltaSequence.GetValueOrDefault(shard);
                    s.NextDeltaSequence[shard] = next + 1;
                    deltas[shard] = delta = new StreamDelta { PartitionId = this.GetPrimaryKeyString(), Sequence = next };
                    if (!s.Outbox.TryGetValue(shard, out var queue))
                    {
                        s.Outbox[shard] = queue = [];
                    }

                    queue.Add(delta);
                }

                if (!delta.Keys.TryGetValue(e.Key, out var keyDelta))
                {
                    delta.Keys[e.Key] = keyDelta = new KeyTotals();
                }

                keyDelta.Add(e);
                applied++;
            }

            await state.WriteStateAsync();
        }

        await FlushAsync();
        return applied;
    }

    private async Task FlushAsync()
    {
        var dataset = StreamTopology.DatasetOf(this.GetPrimaryKeyString());
        var changed = false;
        foreach (var (shard, queue) in state.State.Outbox)
        {
            var aggregator = GrainFactory.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(dataset, shard));
            while (queue.Count > 0)
            {
                await aggregator.ApplyDelta(queue[0]);
                queue.RemoveAt(0);
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<KeyTotals?> GetTotals(string key) => Task.FromResult(state.State.Totals.GetValueOrDefault(key));
}
