using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Serialization;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Streaming;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>ingest</c>: streaming ingestion into partition grains with persistence on (SQLite, WAL), one in-process
/// Orleans silo wired as the embedded default (<see cref="BenchHosts.BuildEmbeddedDefault"/>), batches of 1,000 events from concurrent producers; every batch is acknowledged only after its
/// partitions persisted it and pushed their increments to the aggregators. In the same run, the
/// <em>hand-written floor</em>: one thread that folds each batch into a <c>Dictionary</c> of per-key totals and
/// appends the batch's increments, serialized with the same serializer (Orleans's), to a SQLite table (same WAL and
/// synchronous settings) in one transaction per batch. The figure that matters is the ratio of the two.
/// </summary>
internal static class IngestMacro
{
    /// <param name="duration">how long each phase runs</param>
    /// <param name="producers">concurrent producers, each awaiting its acknowledgement before the next batch</param>
    /// <param name="keys">distinct event keys</param>
    /// <param name="breakdown">
    /// also where the grains' time goes: the same grains with a log that stores nothing (so: Orleans messaging + the
    /// grains' own work), and single-threaded timings of folding a batch into per-key increments and serializing a log record
    /// </param>
    public static async Task<int> RunAsync(TimeSpan duration, int producers, int keys, bool breakdown = false)
    {
        var batches = Enumerable.Range(0, 64).Select(b =>
        {
            var random = new Random(b);
            return Enumerable.Range(0, 1000).Select(_ => new IngestEvent
            {
                Key = "k" + random.Next(keys).ToString(CultureInfo.InvariantCulture),
                Values = new() { ["v"] = random.Next(1000) },
                Timestamp = DateTimeOffset.UnixEpoch,
            }).ToList();
        }).ToArray();

        var (floor, floorCpu) = Measure(() => Task.FromResult(Floor(duration, batches))).GetAwaiter().GetResult();
        var (grains, top, grainsCpu) = await GrainsAsync(duration, producers, batches, persist: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            ingest, {producers} producers, batches of 1,000, {keys:N0} keys, SQLite persistence, {duration.TotalSeconds:F0} s each (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit={Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") ?? "default"}):
              hand-written floor (Dictionary + one SQLite transaction per batch, 1 thread): {floor,10:N0} events/s, {floorCpu * 1e6 / (floor * duration.TotalSeconds),6:F2} CPU µs/event
              partition grains (group commit, log + snapshots, aggregators):            {grains,10:N0} events/s, {grainsCpu * 1e6 / (grains * duration.TotalSeconds),6:F2} CPU µs/event  = {grains / floor:F2} x floor rate
              check: top key {top.Key} = {top.Totals.Events} events
            """));
        if (breakdown)
        {
            var (unpersisted, _, unpersistedCpu) = await GrainsAsync(duration, producers, batches, persist: false);
            var (fold, serialize, recordBytes) = FoldAndSerialize(batches, TimeSpan.FromSeconds(3));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                breakdown (CPU µs per event):
                  partition grains, log that stores nothing (messaging + grain work):      {unpersisted,10:N0} events/s, {unpersistedCpu * 1e6 / (unpersisted * duration.TotalSeconds),6:F2} CPU µs/event
                  one thread: fold a batch into per-key increments (as a partition does):  {fold,6:F2} µs/event
                  one thread: serialize the batch's log record (Orleans serializer):       {serialize,6:F2} µs/event ({recordBytes:N0} B per 1,000-event record)
                """));
        }

        return 0;
    }

    /// <summary>Per event: folding batches into per-key increments, and serializing them as one <see cref="PartitionLogRecord"/> per batch.</summary>
    private static (double FoldMicros, double SerializeMicros, int RecordBytes) FoldAndSerialize(List<IngestEvent>[] batches, TimeSpan duration)
    {
        using var services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(PartitionLogRecord).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        long events = 0;
        var bytes = 0;
        var fold = TimeSpan.Zero;
        var serialize = TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        for (var seq = 0; watch.Elapsed < duration; seq++)
        {
            var batch = batches[seq % batches.Length];
            var started = Stopwatch.GetTimestamp();
            var increments = new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
            foreach (var e in batch)
            {
                if (!increments.TryGetValue(e.Key, out var increment))
                {
                    increments[e.Key] = increment = new KeyTotals();
                }

                increment.Add(e);
            }

            var folded = Stopwatch.GetTimestamp();
            bytes = serializer.SerializeToArray(new PartitionLogRecord { Batches = [new ProducerSequence("p", seq)], Shards = [increments] }).Length;
            fold += Stopwatch.GetElapsedTime(started, folded);
            serialize += Stopwatch.GetElapsedTime(folded);
            events += batch.Count;
        }

        return (fold.TotalMicroseconds / events, serialize.TotalMicroseconds / events, bytes);
    }

    // Process CPU seconds spent by the measured phase (set-up included; it is small next to the run).
    private static async Task<(T Result, double CpuSeconds)> Measure<T>(Func<Task<T>> phase)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await phase();
        return (result, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
    }

    private static double Floor(TimeSpan duration, List<IngestEvent>[] batches)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ocx-ingest-floor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "floor.db"), Pooling = false }.ToString());
            connection.Open();
            using (var setup = connection.CreateCommand())
            {
                setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE log (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);";
                setup.ExecuteNonQuery();
            }

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO log (seq, payload) VALUES ($seq, $payload);";
            var seqParameter = insert.Parameters.Add("$seq", SqliteType.Integer);
            var payloadParameter = insert.Parameters.Add("$payload", SqliteType.Blob);
            insert.Prepare();

            using var services = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(PartitionLogRecord).Assembly)).BuildServiceProvider();
            var serializer = services.GetRequiredService<Serializer>();
            var totals = new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
            long events = 0;
            var watch = Stopwatch.StartNew();
            for (long seq = 1; watch.Elapsed < duration; seq++)
            {
                var batch = batches[(int)(seq % batches.Length)];
                var increments = new Dictionary<string, KeyTotals>(StringComparer.Ordinal);
                foreach (var e in batch)
                {
                    if (!increments.TryGetValue(e.Key, out var increment))
                    {
                        increments[e.Key] = increment = new KeyTotals();
                    }

                    increment.Add(e);
                }

                foreach (var (key, increment) in increments)
                {
                    if (!totals.TryGetValue(key, out var mine))
                    {
                        totals[key] = mine = new KeyTotals();
                    }

                    mine.Merge(increment);
                }

                var record = new PartitionLogRecord { Batches = [new ProducerSequence("p", seq)], Shards = [increments] };
                using var transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
                seqParameter.Value = seq;
                payloadParameter.Value = serializer.SerializeToArray(record);
                insert.ExecuteNonQuery();
                transaction.Commit();
                events += batch.Count;
            }

            return events / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Rate, KeyRank Top, double CpuSeconds)> GrainsAsync(TimeSpan duration, int producers, List<IngestEvent>[] batches, bool persist)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ocx-ingest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var host = persist ? BenchHosts.BuildEmbeddedDefault(Path.Combine(folder, "state.db")) : BenchHosts.BuildWithoutPersistence();
        await host.StartAsync();
        try
        {
            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var ingest = factory.GetGrain<IStreamIngestGrain>("bench");

            // Warm-up: activate every partition and aggregator (and JIT the path) outside the measured window.
            await ingest.Ingest(new IngestBatch { ProducerId = "warm-up", Sequence = 0, Events = batches[0] });

            long events = 0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
            {
                for (long seq = 0; watch.Elapsed < duration; seq++)
                {
                    var batch = batches[(int)((seq + p) % batches.Length)];
                    await ingest.Ingest(new IngestBatch { ProducerId = $"p{p}", Sequence = seq, Events = batch });
                    Interlocked.Add(ref events, batch.Count);
                }
            })));
            var rate = events / watch.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var top = await factory.GetGrain<IStreamQueryGrain>("bench").TopK(1, "events");
            return (rate, top[0], cpu);
        }
        finally
        {
            await host.StopAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
