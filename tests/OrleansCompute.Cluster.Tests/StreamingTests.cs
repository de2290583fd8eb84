using System.Collections.Concurrent;
using OrleansCompute.Cluster.Tests.Support;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Cluster.Tests;

/// <summary>Streaming ingestion: exactly-once per (producer, sequence), global totals and top-k against the producers' own ledger.</summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class StreamingTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private static IngestBatch Batch(string producer, long sequence, Random random, int events, Ledger ledger)
    {
        var batch = new IngestBatch { ProducerId = producer, Sequence = sequence };
        for (var i = 0; i < events; i++)
        {
            var key = $"k{random.Next(200)}";
            var value = random.Next(-50, 1000);
            batch.Events.Add(new IngestEvent { Key = key, Values = new() { ["v"] = value }, Timestamp = DateTimeOffset.UtcNow });
        }

        ledger.Pending[(producer, sequence)] = batch;
        return batch;
    }

    [Fact]
    public async Task A_resent_batch_is_acknowledged_without_being_counted_again()
    {
        await using var cluster = await TestClusters.DeployAsync(2);
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("ds1");
        var ledger = new Ledger();
        var random = new Random(1);
        for (var seq = 0; seq < 20; seq++)
        {
            var batch = Batch("p1", seq, random, 100, ledger);
            var ack = await ingest.Ingest(batch);
            Assert.Equal(100, ack.Applied);
            ledger.Acknowledge("p1", seq);
            if (seq % 3 == 0)
            {
                // The producer never saw the ack (say) and sends the same batch again.
                var again = await ingest.Ingest(batch);
                Assert.Equal(0, again.Applied);
                Assert.Equal(100, again.Duplicates);
            }
        }

        // A pipelining producer: 100 and 101 in flight, then 100 re-sent out of order.
        var b100 = Batch("p2", 100, random, 50, ledger);
        var b101 = Batch("p2", 101, random, 50, ledger);
        await Task.WhenAll(ingest.Ingest(b100), ingest.Ingest(b101));
        ledger.Acknowledge("p2", 100);
        ledger.Acknowledge("p2", 101);
        Assert.Equal(0, (await ingest.Ingest(b100)).Applied);

        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>("ds1"));
    }

    [Fact]
    public async Task Killing_a_silo_mid_ingest_loses_and_doubles_nothing()
    {
        await using var cluster = await TestClusters.DeployAsync(3, redis); // kills a silo: state in Redis
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("ds2");
        var ledger = new Ledger();
        var retries = 0;
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var random = new Random(100 + p);
            for (var seq = 0; seq < 60; seq++)
            {
                var batch = Batch($"producer-{p}", seq, random, 200, ledger);
                while (true)
                {
                    try
                    {
                        await ingest.Ingest(batch);
                        ledger.Acknowledge(batch.ProducerId, seq);
                        break;
                    }
                    catch (Exception ex) when (TestClusters.IsFailover(ex) || ex is InvalidOperationException)
                    {
                        // Not acknowledged: re-send the same batch (same producer id and sequence).
                        Interlocked.Increment(ref retries);
                        await Task.Delay(100);
                    }
                }
            }
        })).ToArray();

        while (ledger.AcknowledgedCount < 40)
        {
            await Task.Delay(20);
        }

        await cluster.KillSiloAsync(cluster.Silos[1]);
        await Task.WhenAll(producers);
        output.WriteLine($"{ledger.AcknowledgedCount} batches acknowledged, {retries} re-sends after failures");

        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>("ds2"));
    }

    [Fact]
    public async Task A_batch_without_a_producer_id_is_refused_with_a_clear_error()
    {
        await using var cluster = await TestClusters.DeployAsync(1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<IStreamIngestGrain>("ds3")
            .Ingest(new IngestBatch { Events = [new IngestEvent { Key = "a" }] }));
        Assert.Contains("producer id", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<IStreamQueryGrain>("ds3").TopK(3, "v:median"));

        // A value that could make a sum overflow is refused, naming the event; nothing of the batch is counted.
        var tooLarge = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<IStreamIngestGrain>("ds3").Ingest(new IngestBatch
        {
            ProducerId = "p",
            Sequence = 1,
            Events = [new IngestEvent { Key = "a", Values = new() { ["b"] = 1 } }, new IngestEvent { Key = "z", Values = new() { ["b"] = 1e308 } }],
        }));
        Assert.Contains("Event 1 of the batch: value 'b' is 1E+308", tooLarge.Message, StringComparison.Ordinal);
        Assert.Null(await cluster.Client.GetGrain<IStreamQueryGrain>("ds3").GetTotals("a"));
    }

    [Fact]
    public async Task Other_events_under_a_used_sequence_are_refused_as_a_whole_even_in_partitions_the_first_batch_missed()
    {
        await using var cluster = await TestClusters.DeployAsync(1);
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("ds4");
        var query = cluster.Client.GetGrain<IStreamQueryGrain>("ds4");

        // Day 1: keys of partition 0 only. Day 2 (the same producer and sequence, by mistake): keys of the other partitions,
        // which never saw sequence 1 — per-partition dedup alone counted them as new.
        var day1Keys = Enumerable.Range(0, 2000).Select(i => $"a{i}").Where(k => StreamTopology.PartitionOf(k) == 0).Take(10).ToList();
        var day2Keys = Enumerable.Range(0, 2000).Select(i => $"b{i}").Where(k => StreamTopology.PartitionOf(k) != 0).Take(40).ToList();
        Assert.True(day2Keys.Select(StreamTopology.PartitionOf).Distinct().Count() > 5);
        IngestBatch Day(List<string> keys, long sequence) => new()
        {
            ProducerId = "web-1",
            Sequence = sequence,
            Events = [.. keys.Select((k, i) => new IngestEvent { Key = k, Values = new() { ["v"] = i }, Timestamp = DateTimeOffset.UtcNow })],
        };

        Assert.Equal(10, (await ingest.Ingest(Day(day1Keys, 1))).Applied);
        var conflict = await Assert.ThrowsAsync<IngestConflictException>(() => ingest.Ingest(Day(day2Keys, 1)));
        Assert.Equal(("web-1", 1L, 1L, false, 0), (conflict.ProducerId, conflict.Sequence, conflict.HighestSequence, conflict.BelowWindow, conflict.AppliedEvents));
        Assert.Contains("new producer id, or sequences above 1", conflict.Message, StringComparison.Ordinal);
        foreach (var key in day2Keys)
        {
            Assert.Null(await query.GetTotals(key));
        }

        // The same day-1 batch again, its events in another order and stamped anew: still a duplicate.
        var resend = Day(day1Keys, 1);
        resend.Events.Reverse();
        var again = await ingest.Ingest(resend);
        Assert.Equal((0, 10), (again.Applied, again.Duplicates));

        // Day 2 under a new sequence is counted.
        Assert.Equal(40, (await ingest.Ingest(Day(day2Keys, 2))).Applied);
        Assert.Equal(1, (await query.GetTotals(day2Keys[0]))!.Events);
    }

    /// <summary>The producers' own record of what was acknowledged: the truth the cluster must match.</summary>
    private sealed class Ledger
    {
        public ConcurrentDictionary<(string, long), IngestBatch> Pending { get; } = new();

        private readonly ConcurrentQueue<IngestBatch> _acknowledged = new();

        public int AcknowledgedCount => _acknowledged.Count;

        public void Acknowledge(string producer, long sequence)
        {
            if (Pending.TryRemove((producer, sequence), out var batch))
            {
                _acknowledged.Enqueue(batch);
            }
        }

        public async Task AssertMatchesAsync(IStreamQueryGrain query)
        {
            var expected = new Dictionary<string, (long Count, double Sum, double Min, double Max)>();
            foreach (var e in _acknowledged.SelectMany(b => b.Events))
            {
                var v = e.Values["v"];
                expected[e.Key] = expected.TryGetValue(e.Key, out var t)
                    ? (t.Count + 1, t.Sum + v, Math.Min(t.Min, v), Math.Max(t.Max, v))
                    : (1, v, v, v);
            }

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
            var expectedTop = expected.OrderByDescending(p => p.Value.Sum).ThenBy(p => p.Key, StringComparer.Ordinal).Take(5).Select(p => p.Key);
            Assert.Equal(expectedTop, top.Select(r => r.Key));
            var byEvents = await query.TopK(3, "events");
            Assert.Equal(expected.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).Take(3).Select(p => p.Key),
                byEvents.Select(r => r.Key));
        }
    }
}
