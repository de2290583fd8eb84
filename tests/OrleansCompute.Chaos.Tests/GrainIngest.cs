using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Chaos.Tests;

/// <summary>Ingest and per-key counts through the cluster client (the grain interfaces the HTTP API also uses).</summary>
internal static class GrainIngest
{
    public static SendBatch Sender(IGrainFactory grains, string dataset) => async (producer, sequence, events, cancellationToken) =>
    {
        var batch = new IngestBatch
        {
            ProducerId = producer,
            Sequence = sequence,
            Events = [.. events.Select(e => new IngestEvent
            {
                Key = e.Key,
                Values = new Dictionary<string, double> { ["v"] = e.Value },
                Timestamp = DateTimeOffset.UtcNow,
            })],
        };
        var ack = await grains.GetGrain<IStreamIngestGrain>(dataset).Ingest(batch).WaitAsync(cancellationToken);
        if (ack.Sequence != sequence)
        {
            throw new InvalidOperationException($"acknowledged sequence {ack.Sequence}, sent {sequence}");
        }
    };

    /// <summary>The server's event count of <paramref name="key"/> (0 when it never saw it).</summary>
    public static async Task<long> CountAsync(IGrainFactory grains, string dataset, string key, CancellationToken cancellationToken) =>
        (await grains.GetGrain<IStreamQueryGrain>(dataset).GetTotals(key).WaitAsync(cancellationToken))?.Events ?? 0;
}
