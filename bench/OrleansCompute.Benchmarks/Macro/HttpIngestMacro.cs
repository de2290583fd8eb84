using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>http-ingest</c>: NDJSON batches of 1,000 events POSTed to the HTTP API co-hosted by a real silo process
/// (SQLite persistence, loopback), from a bounded load generator: N producers, each with its own producer id
/// and increasing sequences. Phase 1 (closed loop): the maximum sustained rate. Phase 2 (open loop, paced from a
/// schedule so a slow answer does not delay the next send): p50/p99 latency at 50 % and 90 % of that rate,
/// measured from each batch's scheduled time. Baseline in the same run: the grain layer's own ingest
/// (as in <see cref="IngestMacro"/>: one in-process silo, SQLite, same producers and batch size, no HTTP), so the HTTP cost shows as a ratio even on a busy machine.
/// </summary>
internal static class HttpIngestMacro
{
    private const int BatchSize = 1000;
    private const int MaxOutstanding = 64;

    public static async Task<int> RunAsync(TimeSpan duration, int producers, int keys)
    {
        var parse = ParseRate(keys);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"http-ingest parser alone (EventBatchParser over NDJSON, one thread): {parse:F0} events/s"));
        await GrainBaselineAsync(TimeSpan.FromSeconds(2), producers, keys); // warm-up
        var baseline = await GrainBaselineAsync(duration, producers, keys);
        var folder = Directory.CreateTempSubdirectory("ocx-http-ingest-").FullName;
        var ports = BenchHosts.FreePorts(3);
        var port = ports[0];
        using var silo = StartSilo(folder, port, siloPort: ports[1], gatewayPort: ports[2]);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxOutstanding, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromSeconds(60),
            };
            await WaitReadyAsync(http, silo);
            var payloads = Enumerable.Range(0, 64).Select(b => Payload(new Random(b), keys)).ToArray();
            var sequences = new long[producers];

            // Warm-up (JIT, connections, grain activations).
            await ClosedLoopAsync(http, payloads, sequences, producers, TimeSpan.FromSeconds(2));
            var (max, maxLatencies) = await ClosedLoopAsync(http, payloads, sequences, producers, duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"http-ingest max: {max:F0} events/s ({producers} producers closed-loop, batches of {BatchSize:N0}, {keys:N0} keys, SQLite, {duration.TotalSeconds:F0} s); " +
                $"latency p50 {Percentile(maxLatencies, 0.50):F1} ms, p99 {Percentile(maxLatencies, 0.99):F1} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"grain-layer baseline (same run, in-process, no HTTP): {baseline:F0} events/s; HTTP/grain = {max / baseline:F2}"));
            foreach (var fraction in new[] { 0.5, 0.9 })
            {
                var (achieved, latencies, late) = await OpenLoopAsync(http, payloads, sequences, producers, max * fraction, duration);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"http-ingest open loop at {fraction:P0} of max ({max * fraction:F0} events/s offered): {achieved:F0} events/s achieved; " +
                    $"p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms (from scheduled send; {late} batches over the {MaxOutstanding}-outstanding bound)"));
            }
        }
        finally
        {
            if (!silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }

            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    private static async Task<(double EventsPerSecond, List<double> Latencies)> ClosedLoopAsync(HttpClient http, byte[][] payloads, long[] sequences,
        int producers, TimeSpan duration)
    {
        long events = 0;
        var latencies = new List<double>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (watch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var sequence = ++sequences[p];
                await SendAsync(http, p, sequence, payloads[(int)(sequence % payloads.Length)]);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref events, BatchSize);
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })));
        return (events / watch.Elapsed.TotalSeconds, latencies);
    }

    private static async Task<(double EventsPerSecond, List<double> Latencies, int Late)> OpenLoopAsync(HttpClient http, byte[][] payloads, long[] sequences,
        int producers, double eventsPerSecond, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(BatchSize / eventsPerSecond);
        var latencies = new List<double>();
        var inFlight = new List<Task>();
        using var outstanding = new SemaphoreSlim(MaxOutstanding, MaxOutstanding);
        long events = 0;
        var late = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; ; i++)
        {
            var scheduled = interval * i;
            if (scheduled >= duration)
            {
                break;
            }

            var wait = scheduled - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (!outstanding.Wait(0))
            {
                late++; // the bound is reached: wait for a slot (the delay counts in this batch's latency)
                await outstanding.WaitAsync();
            }

            var producer = i % producers;
            var sequence = Interlocked.Increment(ref sequences[producer]);
            var payload = payloads[(int)(sequence % payloads.Length)];
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    await SendAsync(http, producer, sequence, payload);
                    var latency = (watch.Elapsed - scheduled).TotalMilliseconds;
                    Interlocked.Add(ref events, BatchSize);
                    lock (latencies)
                    {
                        latencies.Add(latency);
                    }
                }
                finally
                {
                    outstanding.Release();
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return (events / watch.Elapsed.TotalSeconds, latencies, late);
    }

    private static double ParseRate(int keys)
    {
        var payloads = Enumerable.Range(0, 64).Select(b => new System.Buffers.ReadOnlySequence<byte>(Payload(new Random(b), keys))).ToArray();
        long events = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed < TimeSpan.FromSeconds(3); i++)
        {
            events += OrleansCompute.Api.EventBatchParser.Parse(payloads[i % payloads.Length], ndjson: true, 100_000, DateTimeOffset.UtcNow).Count;
        }

        return events / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> GrainBaselineAsync(TimeSpan duration, int producers, int keys)
    {
        var folder = Directory.CreateTempSubdirectory("ocx-grain-ingest-").FullName;
        using var host = BenchHosts.BuildEmbeddedDefault(Path.Combine(folder, "state.db"));
        await host.StartAsync();
        try
        {
            var ingest = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IStreamIngestGrain>("bench");
            var batches = Enumerable.Range(0, 64).Select(b =>
            {
                var random = new Random(b);
                return Enumerable.Range(0, BatchSize).Select(_ => new IngestEvent
                {
                    Key = "k" + random.Next(keys).ToString(CultureInfo.InvariantCulture),
                    Values = new() { ["v"] = random.Next(1000) },
                    Timestamp = DateTimeOffset.UtcNow,
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
            return events / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await host.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task SendAsync(HttpClient http, int producer, long sequence, byte[] payload)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await http.PostAsync(string.Create(CultureInfo.InvariantCulture, $"/api/datasets/bench/events?producer=p{producer}&sequence={sequence}"), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static byte[] Payload(Random random, int keys)
    {
        var text = new StringBuilder(BatchSize * 48);
        for (var i = 0; i < BatchSize; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\"key\":\"k{random.Next(keys)}\",\"values\":{{\"v\":{random.Next(1000)}}}}}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
    }

    /// <summary>The silo executable as the embedded default (localhost clustering, SQLite), on explicit free ports: Orleans's 11111/30000 may be in use.</summary>
    private static Process StartSilo(string folder, int port, int siloPort, int gatewayPort)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[]
        {
            SiloProcess.SiloDll,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{port}",
            "--OrleansCompute:Api:RateLimitPerSecond=0",
            "--OrleansCompute:Storage:Provider=sqlite",
            $"--OrleansCompute:Endpoints:SiloPort={siloPort}",
            $"--OrleansCompute:Endpoints:GatewayPort={gatewayPort}",
            $"--OrleansCompute:Storage:DataDirectory={folder}",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("silo: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process silo)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (silo.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {silo.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The silo's API did not become ready in 60 s.");
    }
}
