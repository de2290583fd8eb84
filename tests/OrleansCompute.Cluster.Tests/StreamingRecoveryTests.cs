using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansCompute.Cluster.Tests.Support;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// Streaming recovery on the log-structured partitions: state rebuilt from snapshot + log tail, aggregators
/// rebuilt from the partitions, and kills that land between a log append and a snapshot. On Redis and memory
/// storage the partitions keep their log through <see cref="StateBackedGrainLog"/> (snapshot + records in one state).
/// The tests change <see cref="StreamPartitionGrain.MinSnapshotBytes"/> (process-wide): the collection runs them one
/// at a time, and no other cluster runs beside them.
/// </summary>
[Collection(RedisServerFixture.CollectionName)]
public sealed class StreamingRecoveryTests(RedisServerFixture redis, ITestOutputHelper output) : IDisposable
{
    // Small enough that a few batches trigger snapshots, so a kill can fall between an append and a snapshot.
    private const int SmallSnapshotBytes = 2_000;
    private readonly int _savedSnapshotBytes = SetSnapshotBytes(SmallSnapshotBytes);

    public void Dispose() => StreamPartitionGrain.MinSnapshotBytes = _savedSnapshotBytes;

    private static int SetSnapshotBytes(int bytes)
    {
        var saved = StreamPartitionGrain.MinSnapshotBytes;
        StreamPartitionGrain.MinSnapshotBytes = bytes;
        return saved;
    }

    [Fact]
    public async Task Totals_are_rebuilt_from_snapshot_and_log_tail_after_every_silo_that_held_them_dies()
    {
        await using var cluster = await TestClusters.DeployAsync(2, redis); // every silo is replaced: state in Redis
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("rec1");
        var ledger = new StreamLedger();
        var random = new Random(7);
        for (var seq = 0; seq < 40; seq++)
        {
            var batch = ledger.NewBatch("p1", seq, random, 150);
            await ingest.Ingest(batch);
            ledger.Acknowledge("p1", seq);
        }

        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>("rec1"));

        // The shared storage holds snapshots *and* records appended after them: replay must fold both.
        var logs = await cluster.PartitionLogsAsync("rec1");
        Assert.Contains(logs, l => l.Snapshot is not null && l.Records.Count > 0);
        output.WriteLine(string.Join(", ", logs.Select(l => $"snapshot@{l.SnapshotSequence}+{l.Records.Count}")));

        // Every activation (partitions and aggregators) dies with its silo; a fresh silo rebuilds from storage alone.
        var originals = cluster.Silos.ToList();
        await cluster.StartAdditionalSiloAsync();
        await cluster.StartAdditionalSiloAsync();
        foreach (var silo in originals)
        {
            await cluster.KillSiloAsync(silo);
            await cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        }
        var query = cluster.Client.GetGrain<IStreamQueryGrain>("rec1");
        await RetryAsync(() => ledger.AssertMatchesAsync(query));

        // Re-sending acknowledged batches after the rebuild still counts nothing twice (dedup windows came back too), and
        // other events under their sequences are refused: the batches' fingerprints came back from snapshots and log tails.
        for (var seq = 30; seq < 40; seq++)
        {
            var again = await RetryAsync(() => ingest.Ingest(ledger.Acknowledged("p1", seq)));
            Assert.Equal(0, again.Applied);
            var other = new IngestBatch { ProducerId = "p1", Sequence = seq, Events = [new IngestEvent { Key = "never-counted", Values = new() { ["v"] = seq } }] };
            await Assert.ThrowsAsync<IngestConflictException>(() => RetryAsync(() => ingest.Ingest(other)));
        }

        await ledger.AssertMatchesAsync(query);
    }

    [Fact]
    public async Task Killing_a_silo_mid_ingest_with_frequent_snapshots_loses_and_doubles_nothing()
    {
        await using var cluster = await TestClusters.DeployAsync(3, redis); // kills a silo: state in Redis
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("rec2");
        var ledger = new StreamLedger();
        var retries = 0;
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var random = new Random(300 + p);
            for (var seq = 0; seq < 50; seq++)
            {
                var batch = ledger.NewBatch($"producer-{p}", seq, random, 200);
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

        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>("rec2"));
        Assert.Contains(await cluster.PartitionLogsAsync("rec2"), l => l.Snapshot is not null);
    }

    [Fact]
    public async Task Concurrent_producers_are_group_committed_and_every_ack_is_in_the_log()
    {
        await using var cluster = await TestClusters.DeployAsync(1);
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>("rec3");
        var ledger = new StreamLedger();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            var random = new Random(500 + p);
            for (var seq = 0; seq < 25; seq++)
            {
                var batch = ledger.NewBatch($"c{p}", seq, random, 100);
                var ack = await ingest.Ingest(batch);
                Assert.Equal(100, ack.Applied);
                ledger.Acknowledge(batch.ProducerId, seq);
            }
        })));

        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>("rec3"));

        // What the log holds (snapshot + records), replayed independently of the grains, equals the ledger per partition.
        var serializer = cluster.ServiceProvider.GetRequiredService<Serializer>();
        var logs = await cluster.PartitionLogsAsync("rec3");
        var events = 0L;
        foreach (var log in logs)
        {
            if (log.Snapshot is { } snapshot)
            {
                events += serializer.Deserialize<PartitionSnapshot>(snapshot.Span)!
                    .Shards.SelectMany(s => s.Values).Sum(t => t.Events);
            }

            events += log.Records.Sum(r => serializer.Deserialize<PartitionLogRecord>(r.Data.Span)!
                .Shards.SelectMany(s => s.Values).Sum(t => t.Events));
        }

        Assert.Equal(8 * 25 * 100, events);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (attempt < 20 && (TestClusters.IsFailover(ex) || ex is InvalidOperationException))
            {
                await Task.Delay(250);
            }
        }
    }

    private static Task<bool> RetryAsync(Func<Task> action) => RetryAsync(async () =>
    {
        await action();
        return true;
    });
}
