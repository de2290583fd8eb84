using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Hosting;
using OrleansCompute.Storage;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cluster.Tests;

/// <summary>
/// A log provider whose writes complete synchronously (an in-memory or write-behind log; a real provider whose I/O
/// finished before it returned): the partitions' commit loop must not depend on the append yielding. A benchmark's
/// null log once saw ingest stop after a few seconds with such appends (bench/README.md).
/// </summary>
public sealed class SynchronousLogTests
{
    [Fact]
    public async Task Ingest_over_a_log_whose_appends_complete_synchronously_acknowledges_every_batch_exactly_once()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<SynchronousLogSilo>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        const string dataset = "synclog";
        var ingest = cluster.Client.GetGrain<IStreamIngestGrain>(dataset);
        var ledger = new StreamLedger();
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (var seq = 0; seq < 60; seq++)
            {
                var batch = ledger.NewBatch($"p{p}", seq, random, 100);
                await ingest.Ingest(batch);
                ledger.Acknowledge($"p{p}", seq);
                if (seq % 7 == 0)
                {
                    Assert.Equal(0, (await ingest.Ingest(batch)).Applied); // a re-send: acknowledged, not counted
                }
            }
        }));

        // Every producer's 60 batches are acknowledged (a stalled commit loop leaves them waiting for good).
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(240, ledger.AcknowledgedCount);
        await ledger.AssertMatchesAsync(cluster.Client.GetGrain<IStreamQueryGrain>(dataset));
        Assert.True(SynchronousLog.Appends > 0);
    }

    public sealed class SynchronousLogSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            TestSiloLogs.AddTo(siloBuilder.Services, "ClusterTests");
            siloBuilder.AddOrleansCompute();
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.Services.AddKeyedSingleton<IGrainLogStorage>(Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, SynchronousLog.Instance);
        }
    }

    /// <summary>An in-memory log shared by the TestCluster's silos (one process); every method completes before it returns.</summary>
    private sealed class SynchronousLog : IGrainLogStorage
    {
        public static readonly SynchronousLog Instance = new();
        private static long s_appends;
        private readonly ConcurrentDictionary<GrainId, Stored> _logs = new();

        public static long Appends => Interlocked.Read(ref s_appends);

        public Task<GrainLog> ReadLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
        {
            var stored = _logs.GetOrAdd(grainId, _ => new Stored());
            lock (stored)
            {
                return Task.FromResult(new GrainLog(stored.SnapshotSequence, stored.Snapshot, [.. stored.Records]));
            }
        }

        public Task AppendLogAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> record, CancellationToken cancellationToken = default)
        {
            var stored = _logs.GetOrAdd(grainId, _ => new Stored());
            lock (stored)
            {
                stored.Records.Add(new GrainLogRecord(sequence, record.ToArray()));
            }

            Interlocked.Increment(ref s_appends);
            return Task.CompletedTask;
        }

        public Task WriteLogSnapshotAsync(string stateName, GrainId grainId, long sequence, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default)
        {
            var stored = _logs.GetOrAdd(grainId, _ => new Stored());
            lock (stored)
            {
                stored.Snapshot = snapshot.ToArray();
                stored.SnapshotSequence = sequence;
                stored.Records.RemoveAll(r => r.Sequence <= sequence);
            }

            return Task.CompletedTask;
        }

        public Task ClearLogAsync(string stateName, GrainId grainId, CancellationToken cancellationToken = default)
        {
            _logs.TryRemove(grainId, out _);
            return Task.CompletedTask;
        }

        private sealed class Stored
        {
            public List<GrainLogRecord> Records { get; } = [];

            public ReadOnlyMemory<byte>? Snapshot { get; set; }

            public long SnapshotSequence { get; set; }
        }
    }
}
