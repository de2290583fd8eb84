using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// Whole-system measurements with real Orleans silo processes on Redis clustering and Redis grain storage (not BenchmarkDotNet):
/// <c>failover</c>: kill -9 of one of 3 silos → every grain that lived on it answers again through the client, over N kills (p50/p95);
/// <c>redis-storage</c>: persisted counter increments/s vs. redis-benchmark SET on the same server, same run.
/// </summary>
internal static partial class RedisClusterMacro
{
    /// <summary>How long one attempt to reach a grain may take before it is retried (the call itself is not cancelled).</summary>
    private static readonly TimeSpan s_attempt = TimeSpan.FromMilliseconds(500);

    public static async Task<int> FailoverAsync(int kills)
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var silos = (await Task.WhenAll(Enumerable.Range(1, 3).Select(i => BenchSiloProcess.StartAsync($"s{i}", redis.ConnectionString, clusterId)))).ToList();
        var times = new List<double>();
        try
        {
            using var clientHost = await BenchSiloProcess.ConnectClientAsync(redis.ConnectionString, clusterId, TimeSpan.FromSeconds(10));
            var client = clientHost.Services.GetRequiredService<IClusterClient>();
            var keys = Enumerable.Range(0, 300).Select(i => $"f{i}").ToArray();
            for (var kill = 0; kill < kills; kill++)
            {
                await Task.WhenAll(keys.Select(k => Retry(() => client.GetGrain<ICounterGrain>(k).Add(1))));
                var victim = silos[kill % silos.Count];

                // Where each counter lives, from Orleans's grain directory (the management grain asks it).
                var management = client.GetGrain<IManagementGrain>(0);
                var onVictim = new List<string>();
                foreach (var key in keys)
                {
                    var address = await management.GetActivationAddress(client.GetGrain<ICounterGrain>(key));
                    if (address?.Endpoint.Port == victim.SiloPort)
                    {
                        onVictim.Add(key);
                    }
                }

                var failures = new Dictionary<string, int>(StringComparer.Ordinal);
                var watch = Stopwatch.StartNew();
                victim.Kill();
                // Each grain of the dead silo is called until it answers (each attempt bounded, so a call stuck on the dead
                // silo does not hide the moment the grain answers elsewhere); the round ends when the last one answered.
                var answeredAt = await Task.WhenAll(onVictim.Select(async key =>
                {
                    var grain = client.GetGrain<ICounterGrain>(key);
                    while (watch.Elapsed < TimeSpan.FromSeconds(60))
                    {
                        try
                        {
                            await grain.Get().WaitAsync(s_attempt);
                            return watch.Elapsed.TotalMilliseconds;
                        }
                        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException)
                        {
                            lock (failures)
                            {
                                failures[ex.GetType().Name] = failures.GetValueOrDefault(ex.GetType().Name) + 1;
                            }

                            await Task.Delay(20);
                        }
                    }

                    return double.PositiveInfinity;
                }));
                var elapsed = answeredAt.Length == 0 ? 0 : answeredAt.Max();
                times.Add(elapsed);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kill {kill + 1}: {onVictim.Count} grains of {victim.Name} answered again after {elapsed:F0} ms (failed attempts meanwhile: {(failures.Count == 0 ? "none" : string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}")))})"));
                await victim.DisposeAsync();
                silos[kill % silos.Count] = await BenchSiloProcess.StartAsync(victim.Name, redis.ConnectionString, clusterId);
                await Task.Delay(2000);
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"failover over {times.Count} kills: p50 {Percentile(times, 0.5):F0} ms, p95 {Percentile(times, 0.95):F0} ms, max {times[^1]:F0} ms " +
            $"(target p50 ≤ 2000 ms: {(Percentile(times, 0.5) <= 2000 ? "met" : "NOT met")}; p95 ≤ 4000 ms: {(Percentile(times, 0.95) <= 4000 ? "met" : "NOT met")})"));
        return 0;
    }

    public static async Task<int> RedisStorageAsync(TimeSpan duration)
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var silo = await BenchSiloProcess.StartAsync("s1", redis.ConnectionString, clusterId);
        try
        {
            using var clientHost = await BenchSiloProcess.ConnectClientAsync(redis.ConnectionString, clusterId, TimeSpan.FromSeconds(30));
            var client = clientHost.Services.GetRequiredService<IClusterClient>();
            var grains = Enumerable.Range(0, 1000).Select(i => client.GetGrain<ICounterGrain>($"w{i}")).ToArray();
            await Task.WhenAll(grains.Select(g => g.Add(1)));

            long writes = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 200).Select(c => Task.Run(async () =>
            {
                var i = c;
                while (watch.Elapsed < duration)
                {
                    await grains[i % grains.Length].Add(1);
                    Interlocked.Increment(ref writes);
                    i += 200;
                }
            })));
            var grainRate = writes / watch.Elapsed.TotalSeconds;

            var benchmark = Process.Start(new ProcessStartInfo("redis-benchmark",
                $"-h 127.0.0.1 -p {redis.Port} -t set -n 200000 -c 50 -d 64 -q") { RedirectStandardOutput = true })!;
            var text = await benchmark.StandardOutput.ReadToEndAsync();
            await benchmark.WaitForExitAsync();
            var match = SetRate().Match(text);
            var setRate = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"persisted counter increments: {grainRate:F0}/s (200 callers, 1,000 grains, one silo process); redis-benchmark SET: {setRate:F0}/s; ratio {grainRate / setRate:F2}"));
        }
        finally
        {
            await silo.DisposeAsync();
        }

        return 0;
    }

    private static async Task Retry(Func<Task> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception ex) when (attempt < 50 && ex is OrleansException or TimeoutException)
            {
                await Task.Delay(100);
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];

    [GeneratedRegex(@"SET: ([0-9.]+) requests per second")]
    private static partial Regex SetRate();
}
