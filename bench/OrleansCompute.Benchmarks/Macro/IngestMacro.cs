using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Hosting;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>ingest</c>: streaming ingestion into partition grains with persistence on (SQLite, WAL), one
/// in-process silo, batches of 1,000 events from concurrent producers; every batch is acknowledged
/// only after its partitions persisted it and pushed deltas to the aggregators.
/// </summary>
internal static class IngestMacro
{
    public static async Task<int> RunAsync(TimeSpan duration, int producers, int keys)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ocx-ingest-" + Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansCompute(silo => silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = Path.Combine(folder, "state.db")));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var ingest = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IStreamIngestGrain>("bench");
            var batches = Enumerable.Range(0, 64).Select(b =>
            {
                var random = new Random(b);
                return Enumerable.Range(0, 1000).Select(_ => new IngestEvent
                {
                    Key = "k" + random.Next(keys).ToString(CultureInfo.InvariantCulture),
                    Values = new() { ["v"] = random.Next(1000) },
                }).ToList();
            }).ToArray();

            long events = 0;
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
            var totals = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IStreamQueryGrain>("bench").TopK(1, "events");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest: {rate:F0} events/s ({producers} producers, batches of 1,000, {keys:N0} keys, SQLite persistence, {watch.Elapsed.TotalSeconds:F1} s); top key {totals[0].Key} = {totals[0].Totals.Events} events"));
        }
        finally
        {
            await host.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }
}
