using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansCompute.Client;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Runtime;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// Whole-system measurements with real processes (not BenchmarkDotNet):
/// <c>failover</c>: kill -9 → every grain of the dead silo answers again, over N kills (p50/p95);
/// <c>redis-storage</c>: persisted counter increments/s vs. redis-benchmark SET on the same server, same run.
/// </summary>
internal static partial class RedisClusterMacro
{
    private const string Secret = "benchmark-secret-0123456789";

    public static async Task<int> FailoverAsync(int kills)
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var silos = (await Task.WhenAll(Enumerable.Range(1, 3).Select(i => SiloProcess.StartAsync($"s{i}", redis.ConnectionString, clusterId, Secret)))).ToList();
        var siloOptions = Options.Create(new SiloOptions { ClusterId = clusterId });
        await using var table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }), siloOptions);
        await using var directory = new RedisGrainDirectory(Options.Create(new RedisGrainDirectoryOptions { ConnectionString = redis.ConnectionString }), siloOptions);
        await using var client = await ConnectAsync(clusterId, table);
        var times = new List<double>();
        try
        {
            var keys = Enumerable.Range(0, 300).Select(i => $"f{i}").ToArray();
            for (var kill = 0; kill < kills; kill++)
            {
                await Task.WhenAll(keys.Select(k => Retry(() => client.GetGrain<ICounterGrain>(k).Add(1))));
                var victim = silos[kill % silos.Count];
                var members = await table.ReadAll();
                var victimAddress = members.Members.Single(m => m.Entry.SiloName == victim.Name && m.Entry.Status == Membership.SiloStatus.Active).Entry.SiloAddress;
                var onVictim = new List<string>();
                foreach (var key in keys)
                {
                    if ((await directory.Lookup(new GrainId("counter", key)))?.SiloAddress == victimAddress)
                    {
                        onVictim.Add(key);
                    }
                }

                var watch = Stopwatch.StartNew();
                victim.Kill();
                var pending = new HashSet<string>(onVictim);
                while (pending.Count > 0)
                {
                    var answered = await Task.WhenAll(pending.Select(async k =>
                    {
                        try
                        {
                            await client.GetGrain<ICounterGrain>(k).Get();
                            return k;
                        }
                        catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException)
                        {
                            return null;
                        }
                    }));
                    pending.ExceptWith(answered.OfType<string>());
                }

                times.Add(watch.Elapsed.TotalMilliseconds);
                Console.WriteLine($"kill {kill + 1}: {onVictim.Count} grains of {victim.Name} answered again after {watch.ElapsedMilliseconds} ms");
                await victim.DisposeAsync();
                silos[kill % silos.Count] = await SiloProcess.StartAsync(victim.Name, redis.ConnectionString, clusterId, Secret);
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
            $"failover over {times.Count} kills: p50 {Percentile(times, 0.5):F0} ms, p95 {Percentile(times, 0.95):F0} ms, max {times[^1]:F0} ms"));
        return 0;
    }

    public static async Task<int> RedisStorageAsync(TimeSpan duration)
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..6];
        var silo = await SiloProcess.StartAsync("s1", redis.ConnectionString, clusterId, Secret);
        try
        {
            await using var table = new RedisMembershipTable(Options.Create(new RedisClusteringOptions { ConnectionString = redis.ConnectionString }),
                Options.Create(new SiloOptions { ClusterId = clusterId }));
            await using var client = await ConnectAsync(clusterId, table);
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

    private static async Task<ClusterClient> ConnectAsync(string clusterId, RedisMembershipTable table)
    {
        var client = new ClusterClient(new ClusterClientOptions { ClusterId = clusterId, ClusterSecret = Secret, ResponseTimeout = TimeSpan.FromSeconds(10) },
            new ServiceCollection().BuildServiceProvider(), table, TimeProvider.System, NullLogger<ClusterClient>.Instance);
        await client.ConnectAsync();
        return client;
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
            catch (Exception ex) when (attempt < 20 && ex is SiloUnavailableException or TimeoutException)
            {
                await Task.Delay(100);
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];

    [GeneratedRegex(@"SET: ([0-9.]+) requests per second")]
    private static partial Regex SetRate();
}
