using System.Collections.Concurrent;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Cluster.Tests;

/// <summary>The producers' own record of which batches were acknowledged: the truth a dataset's totals must match.</summary>
internal sealed class StreamLedger
{
    private readonly ConcurrentDictionary<(string, long), IngestBatch> _pending = new();
    private readonly ConcurrentDictionary<(string, long), IngestBatch> _acknowledged = new();

    public int AcknowledgedCount => _acknowledged.Count;

    /// <summary>A batch of random events over 200 keys with one value "v" (negative values included).</summary>
    public IngestBatch NewBatch(string producer, long sequence, Random random, int events)
    {
        var batch = new IngestBatch { ProducerId = producer, Sequence = sequence };
        for (var i = 0; i < events; i++)
        {
            batch.Events.Add(new IngestEvent { Key = $"k{random.Next(200)}", Values = new() { ["v"] = random.Next(-50, 1000) }, Timestamp = DateTimeOffset.UtcNow });
        }

        _pending[(producer, sequence)] = batch;
        return batch;
    }

    public void Acknowledge(string producer, long sequence)
    {
        if (_pending.TryRemove((producer, sequence), out var batch))
        {
            _acknowledged[(producer, sequence)] = batch;
        }
    }

    public IngestBatch Acknowledged(string producer, long sequence) => _acknowledged[(producer, sequence)];

    /// <summary>Per key, the totals of the acknowledged events.</summary>
    public Dictionary<string, (long Count, double Sum, double Min, double Max)> Expected()
    {
        var expected = new Dictionary<string, (long Count, double Sum, double Min, double Max)>();
        foreach (var e in _acknowledged.Values.SelectMany(b => b.Events))
        {
            var v = e.Values["v"];
            expected[e.Key] = expected.TryGetValue(e.Key, out var t)
                ? (t.Count + 1, t.Sum + v, Math.Min(t.Min, v), Math.Max(t.Max, v))
                : (1, v, v, v);
        }

        return expected;
    }

    public async Task AssertMatchesAsync(IStreamQueryGrain query)
    {
        var expected = Expected();
        foreach (var (key, t) in expected)
        {
            var totals = await query.GetTotals(key);
            Assert.NotNull(totals);
            Assert.Equal(t.Count, totals!.Events);
            Assert.Equal(t.Sum, totals.Values["v"].Sum);
            Assert.Equal(t.Min, totals.Values["v"].Min);
            Assert.Equal(t.Max, totals.Values["v"].Max);
        }

        var top = await query.TopK(5, "v:sum");
        Assert.Equal(
            expected.OrderByDescending(p => p.Value.Sum).ThenBy(p => p.Key, StringComparer.Ordinal).Take(5).Select(p => p.Key),
            top.Select(r => r.Key));
    }
}
