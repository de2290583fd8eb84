using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Core.Internal;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Hosting;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// A stream aggregator shard that activates does not make the partitions' pushes wait for the other partitions: under
/// churn, a partition that was moving held the new aggregator's snapshot request while its own push waited for that
/// aggregator's activation, and ingest stalled for Orleans's 30 s response timeout. Here a partition whose storage
/// read is held back (a gate in front of the silo's storage) stands for one that cannot answer yet.
/// </summary>
public sealed class AggregatorCatchUpTests(ITestOutputHelper output)
{
    private const int Shard = 0;

    [Fact]
    public async Task A_partition_push_is_merged_while_the_new_aggregator_still_waits_for_another_partition_and_queries_wait_for_all()
    {
        const string dataset = "catchup1";
        await using var cluster = await DeployAsync();
        var ledger = new StreamLedger();
        await IngestAsync(cluster, dataset, ledger, batches: 6);
        var (slow, slowKey, pusher, pusherKey) = PickPartitions(ledger);
        output.WriteLine($"shard {Shard}: partition {slow} held back ({slowKey}), partition {pusher} pushes ({pusherKey})");

        // The slow partition and the shard's aggregator start over; the slow one's next activation cannot read its log yet.
        var gate = GatedGrainStorage.Hold(PartitionId(cluster, dataset, slow));
        try
        {
            var aggregator = await StartOverAsync(cluster, dataset, slow);

            // Another partition commits an event of the shard: its push activates the aggregator, which is refused an
            // increment it cannot place, takes the full totals, and answers — while the slow partition is still held.
            var events = new List<IngestEvent> { new() { Key = pusherKey, Values = new() { ["v"] = 1_000_000 } } };
            var apply = cluster.Client.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, pusher)).Apply("direct", 1, 0x5eed, events);
            var applied = await apply.WaitAsync(TimeSpan.FromSeconds(20)); // held until the gate opens if activation waited for every partition
            Assert.Equal(1, applied);
            Assert.False(gate.Task.IsCompleted);

            // A query now must not answer without the slow partition's keys: it waits for them.
            var slowTotals = aggregator.GetTotals(slowKey);
            var top = aggregator.TopK(1000, "events");
            GatedGrainStorage.Release(gate);
            var totals = await slowTotals.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotNull(totals);
            Assert.Equal(ledger.Expected()[slowKey].Count, totals!.Events);

            var expected = ledger.Expected().Where(p => StreamTopology.ShardOf(p.Key) == Shard).ToDictionary(p => p.Key, p => p.Value.Count);
            expected[pusherKey] += 1;
            var ranked = await top.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), ranked.Select(r => KeyValuePair.Create(r.Key, r.Totals.Events)).OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        finally
        {
            GatedGrainStorage.Release(gate);
        }
    }

    [Fact]
    public async Task A_catch_up_that_failed_is_tried_again_by_the_next_query()
    {
        const string dataset = "catchup2";
        await using var cluster = await DeployAsync();
        var ledger = new StreamLedger();
        await IngestAsync(cluster, dataset, ledger, batches: 3);
        var (slow, slowKey, _, _) = PickPartitions(ledger);

        var failing = PartitionId(cluster, dataset, slow);
        GatedGrainStorage.Failing[failing] = 0;
        try
        {
            var aggregator = await StartOverAsync(cluster, dataset, slow);

            // The slow partition cannot activate (its storage fails): the query says so rather than answer without it.
            var error = await Assert.ThrowsAsync<TimeoutException>(() => aggregator.GetTotals(slowKey));
            output.WriteLine(error.Message);
            Assert.Contains("could not read the totals of 1 partition", error.Message, StringComparison.Ordinal);
            Assert.True(GatedGrainStorage.Failing[failing] > 0);
        }
        finally
        {
            GatedGrainStorage.Failing.TryRemove(failing, out _);
        }

        var aggregatorAgain = cluster.Client.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(dataset, Shard));
        var totals = await aggregatorAgain.GetTotals(slowKey);
        Assert.Equal(ledger.Expected()[slowKey].Count, totals!.Events);
        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>(dataset));
    }

    private static async Task<TestCluster> DeployAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<GatedSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task IngestAsync(TestCluster cluster, string dataset, StreamLedger ledger, int batches)
    {
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>(dataset);
        var random = new Random(11);
        for (var seq = 0; seq < batches; seq++)
        {
            await ingest.Ingest(ledger.NewBatch("p1", seq, random, 400));
            ledger.Acknowledge("p1", seq);
        }
    }

    /// <summary>Two partitions that both hold keys of <see cref="Shard"/>, and one such key of each.</summary>
    private static (int Slow, string SlowKey, int Pusher, string PusherKey) PickPartitions(StreamLedger ledger)
    {
        var byPartition = ledger.Expected().Keys
            .Where(k => StreamTopology.ShardOf(k) == Shard)
            .GroupBy(StreamTopology.PartitionOf)
            .OrderBy(g => g.Key)
            .Select(g => (Partition: g.Key, Key: g.Order(StringComparer.Ordinal).First()))
            .ToList();
        Assert.True(byPartition.Count >= 2, "the ledger's keys reach fewer than two partitions of the shard");
        return (byPartition[0].Partition, byPartition[0].Key, byPartition[1].Partition, byPartition[1].Key);
    }

    private static GrainId PartitionId(TestCluster cluster, string dataset, int partition) =>
        cluster.Client.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, partition)).GetGrainId();

    /// <summary>Deactivates the slow partition and the shard's aggregator: their next activations start from storage.</summary>
    private static async Task<IStreamAggregatorGrain> StartOverAsync(TestCluster cluster, string dataset, int slow)
    {
        await DeactivateAsync(cluster.Client.GetGrain<IStreamPartitionGrain>(StreamTopology.PartitionKey(dataset, slow)));
        var aggregator = cluster.Client.GetGrain<IStreamAggregatorGrain>(StreamTopology.ShardKey(dataset, Shard));
        await DeactivateAsync(aggregator);
        return aggregator;
    }

    private static async Task DeactivateAsync(IAddressable grain) => await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

    /// <summary>The compute grains over memory storage with a gate in front of it.</summary>
    public sealed class GatedSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            TestSiloLogs.AddTo(siloBuilder.Services, "ClusterTests");
            siloBuilder.AddOrleansCompute();
            siloBuilder.AddMemoryGrainStorage("memory");
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
                (services, _) => new GatedGrainStorage(services.GetRequiredKeyedService<IGrainStorage>("memory")));
        }
    }

    /// <summary>Reads of a held grain wait for its gate; reads of a failing grain throw (TestCluster's silos share this process's statics).</summary>
    private sealed class GatedGrainStorage(IGrainStorage inner) : IGrainStorage
    {
        private static readonly ConcurrentDictionary<GrainId, TaskCompletionSource> s_gates = new();

        public static ConcurrentDictionary<GrainId, int> Failing { get; } = new();

        public static TaskCompletionSource Hold(GrainId grain) =>
            s_gates[grain] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public static void Release(TaskCompletionSource gate) => gate.TrySetResult();

        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (Failing.TryGetValue(grainId, out var failures))
            {
                Failing[grainId] = failures + 1;
                throw new IOException($"storage of {grainId} unavailable (test)");
            }

            if (s_gates.TryGetValue(grainId, out var gate))
            {
                await gate.Task;
            }

            await inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
