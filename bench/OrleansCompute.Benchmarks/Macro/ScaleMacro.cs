using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using OrleansCompute.Benchmarks.Compute;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Grains.Streaming;
using OrleansCompute.Testing.Servers;
using StackExchange.Redis;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>scale</c> (issue 20): what one more silo process costs and buys on one machine.
/// <list type="number">
/// <item>Batch jobs on 1, 2 and 3 silo processes: three clusters (one Redis, three cluster ids) are up at once and every
/// round runs word count (GCIDE) and group-by (flights) on each of them, the order rotating from round to round, so each
/// 2- and 3-silo job has a 1-silo job of the same round to be divided by (paired ratios). The load average is read before
/// every round (the machine is shared).</item>
/// <item>Per-silo costs: membership rows (the Redis hash Orleans's Redis clustering keeps: fields, bytes per row, the key's
/// memory), activations per grain type and silo (aggregator shards among them), directory partition sizes (Orleans's
/// <c>orleans-directory-partition-size</c> from each silo's <c>/metrics</c>), and memory per idle activation: N counter
/// grains activated on the 1-silo cluster, the GC heap after a forced full collection
/// (<c>IManagementGrain.ForceGarbageCollection</c>, <c>dotnet.gc.last_collection.heap.size</c>) and the resident set
/// (<c>/proc/PID/status</c>) before and after, divided by N.</item>
/// </list>
/// </summary>
internal static class ScaleMacro
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<int> RunAsync(int rounds, int idleActivations, int warmUps = 4)
    {
        var folder = BenchData.Folder;
        var gcide = BenchData.Require("gcide.txt");
        var flights = BenchData.Require("flights-3m.csv");
        var words = WordCountBenchmarks.Baseline(gcide);
        var groups = GroupByBenchmarks.Baseline(flights);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scale: {rounds} rounds (after {warmUps} warm-up rounds) on 1, 2 and 3 silo processes; {Environment.ProcessorCount} cores; load average {LoadAverage()}"));

        await using var redis = await RedisServer.StartAsync();
        var clusters = new List<Cluster>();
        try
        {
            foreach (var size in new[] { 1, 2, 3 })
            {
                clusters.Add(await Cluster.StartAsync(redis.ConnectionString, size, folder));
                Console.WriteLine($"  cluster of {size} silo process(es) up ({clusters[^1].ClusterId})");
            }

            await BatchAsync(clusters, rounds, warmUps, words, groups);
            await MembershipAsync(redis.ConnectionString, clusters);
            GossipEntrySize();
            await IngestAsync(clusters);
            await ActivationsAsync(clusters);
            await StoredStateAsync(redis.ConnectionString);
            Connections(clusters[2], redis.Port);
            await IdleActivationsAsync(clusters[0], idleActivations);
            await DirectoryAsync(clusters[2], idleActivations);
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task BatchAsync(List<Cluster> clusters, int rounds, int warmUps, Dictionary<string, long> words, Dictionary<string, GroupByBenchmarks.Group> groups)
    {
        var times = clusters.ToDictionary(c => c.Size, _ => (Wc: new List<double>(), Gb: new List<double>(), WcCpu: new List<double>(), GbCpu: new List<double>()));
        var ratios = new Dictionary<(string Job, int Size), List<double>>();
        var loads = new List<string>();
        for (var round = -warmUps; round < rounds; round++)
        {
            var load = LoadAverage();
            loads.Add(load);
            var order = Enumerable.Range(0, clusters.Count).Select(i => clusters[(i + Math.Max(round, 0)) % clusters.Count]).ToList();
            var wc = new Dictionary<int, double>();
            var gb = new Dictionary<int, double>();
            var cpus = new Dictionary<int, double>();
            foreach (var cluster in order)
            {
                var cpu = BatchMacro.SiloCpu(cluster.Silos);
                var (wcTime, wcResult, _) = await BatchMacro.RunJob(cluster.Client, BatchMacro.WordCountSpec($"s{cluster.Size}-wc-{round + warmUps}"));
                var wcCpu = BatchMacro.SiloCpu(cluster.Silos) - cpu;
                BatchMacro.CheckWords($"{cluster.Size} silos", words, BatchMacro.EngineWords((WordCountResult)wcResult.Value!));
                cpu = BatchMacro.SiloCpu(cluster.Silos);
                var (gbTime, gbResult, _) = await BatchMacro.RunJob(cluster.Client, BatchMacro.GroupBySpec($"s{cluster.Size}-gb-{round + warmUps}"));
                var gbCpu = BatchMacro.SiloCpu(cluster.Silos) - cpu;
                BatchMacro.CheckGroups($"{cluster.Size} silos", groups, BatchMacro.EngineGroups((GroupByResult)gbResult.Value!));
                cpus[cluster.Size] = wcCpu + gbCpu;
                wc[cluster.Size] = wcTime;
                gb[cluster.Size] = gbTime;
                if (round >= 0)
                {
                    var t = times[cluster.Size];
                    t.Wc.Add(wcTime);
                    t.Gb.Add(gbTime);
                    t.WcCpu.Add(wcCpu);
                    t.GbCpu.Add(gbCpu);
                }
            }

            var line = string.Join("; ", clusters.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Size}: wc {wc[c.Size]:F3} s, gb {gb[c.Size]:F3} s, silo CPU {cpus[c.Size]:F2} s")));
            Console.WriteLine($"  round {round + 1}{(round < 0 ? " (warm-up)" : "")}, load {load}, order {string.Join(",", order.Select(c => c.Size))}: {line}");
            if (round < 0)
            {
                continue;
            }

            foreach (var size in new[] { 2, 3 })
            {
                Add(("word count", size), wc[size] / wc[1]);
                Add(("group-by", size), gb[size] / gb[1]);
                Add(("silo CPU of both jobs", size), cpus[size] / cpus[1]);
            }
        }

        void Add((string, int) key, double value)
        {
            if (!ratios.TryGetValue(key, out var list))
            {
                ratios[key] = list = [];
            }

            list.Add(value);
        }

        Console.WriteLine();
        Console.WriteLine("| silo processes | word count median s (silo CPU s) | group-by median s (silo CPU s) |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var (size, t) in times)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size} | {BatchMacro.Median(t.Wc):F3} ({BatchMacro.Median(t.WcCpu):F2}) | {BatchMacro.Median(t.Gb):F3} ({BatchMacro.Median(t.GbCpu):F2}) |"));
        }

        Console.WriteLine();
        foreach (var ((job, size), list) in ratios)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{job}, {size} silos / 1 silo, same round: median {BatchMacro.Median(list):F2}{(job.StartsWith("silo CPU", StringComparison.Ordinal) ? "" : BatchMacro.Median(list) <= 1.3 ? " (target ≤ 1.3: met)" : " (target ≤ 1.3: NOT met)")} [{string.Join(", ", list.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}]"));
        }

        Console.WriteLine($"load averages (1/5/15 min) before each round: {string.Join(" | ", loads)}");
    }

    /// <summary>The membership hash of each cluster: fields, JSON bytes per silo row, the key's memory (MEMORY USAGE).</summary>
    private static async Task MembershipAsync(string redis, List<Cluster> clusters)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        Console.WriteLine();
        Console.WriteLine("| silo processes | membership key | fields (rows + Version) | JSON bytes per row (min–max) | MEMORY USAGE of the key (B) |");
        Console.WriteLine("|---:|---|---:|---:|---:|");
        foreach (var cluster in clusters)
        {
            var key = $"{BenchSiloProcess.ServiceId}/members/{cluster.ClusterId}";
            var fields = await db.HashGetAllAsync(key);
            var rows = fields.Where(f => f.Name != "Version").Select(f => ((string)f.Value!).Length).ToList();
            var memory = (long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cluster.Size} | `{key}` | {fields.Length} | {rows.Average():F0} ({rows.Min()}–{rows.Max()}) | {memory:N0} |"));
        }
    }

    /// <summary>Activations per grain type and silo after the batch rounds (job, partition and aggregator grains among them).</summary>
    private static async Task ActivationsAsync(List<Cluster> clusters)
    {
        Console.WriteLine();
        foreach (var cluster in clusters)
        {
            var stats = await cluster.Management.GetSimpleGrainStatistics();
            var silos = stats.Select(s => s.SiloAddress).Distinct().OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
            Console.WriteLine($"activations after the rounds, {cluster.Size} silo process(es) (per silo: {string.Join(", ", silos.Select(s => s.Endpoint.Port))}):");
            foreach (var type in stats.GroupBy(s => s.GrainType).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {Short(type.Key),-40} {string.Join(" / ", silos.Select(s => type.Where(t => t.SiloAddress.Equals(s)).Sum(t => t.ActivationCount)))}");
            }
        }
    }

    /// <summary>
    /// What a membership snapshot costs on the wire per entry: Orleans's serializer over 1,000 entries shaped like this
    /// machine's rows (gossip sends the whole snapshot to every other active silo on each change).
    /// </summary>
    internal static void GossipEntrySize()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var now = DateTime.UtcNow;
        var entries = Enumerable.Range(0, 1000).Select(i => new MembershipEntry
        {
            SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Parse($"10.{i / 250}.{i % 250}.1"), 11111), 155_600_000 + i),
            Status = SiloStatus.Active,
            ProxyPort = 30000,
            HostName = $"silo-{i}.orleanscompute.svc",
            SiloName = $"orleanscompute-silo-{i}",
            StartTime = now,
            IAmAliveTime = now,
            SuspectTimes = [],
        }).ToList();
        var bytes = serializer.SerializeToArray(entries).Length;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"membership entries with Orleans's serializer (what gossip carries): {bytes:N0} B for 1,000 entries = {bytes / 1000.0:F0} B per entry"));
    }

    /// <summary>A short ingest into one dataset on each cluster: 20 batches of 1,000 events over 10,000 keys (its 16 stream partitions and 4 aggregator shards activate).</summary>
    private static async Task IngestAsync(List<Cluster> clusters)
    {
        var random = new Random(20);
        foreach (var cluster in clusters)
        {
            var ingest = cluster.Client.GetGrain<IStreamIngestGrain>($"scale{cluster.Size}"); // one dataset per cluster: they share Redis and the service id
            for (var sequence = 1; sequence <= 20; sequence++)
            {
                await ingest.Ingest(new IngestBatch
                {
                    ProducerId = "scale",
                    Sequence = sequence,
                    Events = [.. Enumerable.Range(0, 1000).Select(_ => new IngestEvent { Key = $"k{random.Next(10_000)}", Values = new() { ["v"] = random.Next(1000) } })],
                });
            }
        }
    }

    /// <summary>Stored grain state in Redis after the runs, by state name: records and bytes (MEMORY USAGE).</summary>
    private static async Task StoredStateAsync(string redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var db = connection.GetDatabase();
        var byState = new Dictionary<string, (int Records, long Bytes)>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: $"{BenchSiloProcess.ServiceId}/state/*", pageSize: 1000))
        {
            var name = ((string)key!).Split('/')[^1];
            var bytes = (long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            var (records, total) = byState.GetValueOrDefault(name);
            byState[name] = (records + 1, total + bytes);
        }

        Console.WriteLine();
        Console.WriteLine("stored grain state in Redis (all three clusters; `{ServiceId}/state/{GrainId}/{state}`), by state name: records, bytes (MEMORY USAGE):");
        foreach (var (name, (records, bytes)) in byState.OrderByDescending(b => b.Value.Bytes))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-24} {records,7:N0} records {bytes,14:N0} B ({bytes / (double)records:N0} B each)"));
        }
    }

    /// <summary>Established TCP connections of each silo process of a cluster (ss): to and from the other silos' silo ports, to Redis, in all.</summary>
    private static void Connections(Cluster cluster, int redisPort)
    {
        var start = new ProcessStartInfo("ss", "-tnpH state established") { RedirectStandardOutput = true, UseShellExecute = false };
        string text;
        try
        {
            using var ss = Process.Start(start)!;
            text = ss.StandardOutput.ReadToEnd();
            ss.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.WriteLine($"(ss not available: {ex.Message})");
            return;
        }

        var siloPorts = cluster.Silos.Select(s => s.SiloPort).ToHashSet();
        Console.WriteLine();
        Console.WriteLine($"established TCP connections, {cluster.Size} silo processes (ss):");
        foreach (var silo in cluster.Silos)
        {
            var mine = text.Split('\n').Where(l => l.Contains($"pid={silo.ProcessId},", StringComparison.Ordinal))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 4)
                .Select(f => (Local: Port(f[2]), Remote: Port(f[3]))).ToList();
            var outbound = mine.Count(c => siloPorts.Contains(c.Remote) && c.Remote != silo.SiloPort);
            var inbound = mine.Count(c => c.Local == silo.SiloPort);
            var redis = mine.Count(c => c.Remote == redisPort);
            Console.WriteLine($"  {silo.Name}: to other silos {outbound}, accepted from other silos {inbound}, to Redis {redis}, all {mine.Count}");
        }

        static int Port(string endpoint) => int.TryParse(endpoint[(endpoint.LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : -1;
    }

    /// <summary>Memory per idle activation on the 1-silo cluster: N counter grains activated (a Get each).</summary>
    private static async Task IdleActivationsAsync(Cluster cluster, int count)
    {
        var silo = cluster.Silos[0];
        var before = await cluster.MemoryAsync(silo);
        var clock = Stopwatch.StartNew();
        await ActivateAsync(cluster.Client, "idle-a", count);
        var took = clock.Elapsed;
        var after = await cluster.MemoryAsync(silo);
        var activations = (await cluster.Management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains("CounterGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle activations, 1 silo process: {count:N0} counter grains activated in {took.TotalSeconds:F1} s ({count / took.TotalSeconds:N0}/s); counter activations now {activations:N0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  GC heap after a full collection {before.Heap:N0} → {after.Heap:N0} B: {(after.Heap - before.Heap) / (double)count:N0} B per activation"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  resident set {before.Rss:N0} → {after.Rss:N0} B: {(after.Rss - before.Rss) / (double)count:N0} B per activation"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  directory partition {before.Directory:N0} → {after.Directory:N0} entries; orleans-catalog-activations {before.Activations:N0} → {after.Activations:N0}"));
    }

    /// <summary>Directory entries per silo on the 3-silo cluster before and after N more activations.</summary>
    private static async Task DirectoryAsync(Cluster cluster, int count)
    {
        var before = await Task.WhenAll(cluster.Silos.Select(cluster.MemoryAsync));
        await ActivateAsync(cluster.Client, "idle-c", count);
        var after = await Task.WhenAll(cluster.Silos.Select(cluster.MemoryAsync));
        Console.WriteLine();
        Console.WriteLine($"3 silo processes, {count:N0} counter grains activated through the client:");
        Console.WriteLine("| silo | activations before → after | directory partition entries before → after | GC heap before → after (B) |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cluster.Silos[i].Name} | {before[i].Activations:N0} → {after[i].Activations:N0} | {before[i].Directory:N0} → {after[i].Directory:N0} | {before[i].Heap:N0} → {after[i].Heap:N0} |"));
        }
    }

    private static async Task ActivateAsync(IClusterClient client, string prefix, int count)
    {
        const int Parallel = 256;
        for (var start = 0; start < count; start += Parallel)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(Parallel, count - start))
                .Select(i => client.GetGrain<ICounterGrain>($"{prefix}-{i}").Get()));
        }
    }

    private static string Short(string grainType) => grainType.Split(',')[0].Split('.')[^1];

    /// <summary>/proc/loadavg's 1, 5 and 15-minute averages.</summary>
    internal static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]}/{parts[1]}/{parts[2]}";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Sums of the samples of each metric in a Prometheus text exposition.</summary>
    private static Dictionary<string, double> ParseMetrics(string text)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            var brace = line.LastIndexOf('}');
            var valueStart = brace >= 0 ? brace + 1 : nameEnd;
            var fields = line[valueStart..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (nameEnd > 0 && fields.Length > 0 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                var name = line[..nameEnd];
                sums[name] = sums.GetValueOrDefault(name) + value;
            }
        }

        return sums;
    }

    private sealed record Memory(long Heap, long Rss, long Directory, long Activations);

    private sealed class Cluster : IAsyncDisposable
    {
        private Microsoft.Extensions.Hosting.IHost? _clientHost;

        public required int Size { get; init; }

        public required string ClusterId { get; init; }

        public List<BenchSiloProcess> Silos { get; } = [];

        public List<string> Apis { get; } = [];

        public IClusterClient Client => _clientHost!.Services.GetRequiredService<IClusterClient>();

        public IManagementGrain Management => Client.GetGrain<IManagementGrain>(0);

        public static async Task<Cluster> StartAsync(string redis, int size, string folder)
        {
            var cluster = new Cluster { Size = size, ClusterId = $"scale{size}-" + Guid.NewGuid().ToString("N")[..6] };
            try
            {
                for (var i = 1; i <= size; i++)
                {
                    // The API on (as a silo runs by default) on a free loopback port: its /metrics is read for the costs.
                    var api = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{BenchHosts.FreePorts(1)[0]}");
                    cluster.Silos.Add(await BenchSiloProcess.StartAsync($"s{size}-{i}", redis, cluster.ClusterId,
                    [
                        $"--OrleansCompute:Compute:DataRoots:0={folder}",
                        "--Logging:LogLevel:OrleansCompute.Grains=Warning",
                        "--OrleansCompute:Api:Enabled=true",
                        $"--OrleansCompute:Api:Urls:0={api}",
                        "--OrleansCompute:Api:RateLimitPerSecond=0",
                    ]));
                    cluster.Apis.Add(api);
                }

                cluster._clientHost = await BenchSiloProcess.ConnectClientAsync(redis, cluster.ClusterId, TimeSpan.FromSeconds(60));
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        /// <summary>After a forced full collection in the silo: its GC heap, resident set, directory partition size and activations.</summary>
        public async Task<Memory> MemoryAsync(BenchSiloProcess silo)
        {
            var hosts = await Management.GetHosts(onlyActive: true);
            var address = hosts.Keys.Single(a => a.Endpoint.Port == silo.SiloPort);
            await Management.ForceGarbageCollection([address]);
            await Task.Delay(1500); // the exporter caches a scrape for a moment; the next one reflects the collection
            var api = Apis[Silos.IndexOf(silo)];
            var metrics = ParseMetrics(await s_http.GetStringAsync($"{api}/metrics"));
            string[] wanted = ["dotnet_gc_last_collection_heap_size_bytes", "orleans_directory_partition_size", "orleans_catalog_activations"];
            if (wanted.Any(w => !metrics.ContainsKey(w)))
            {
                Console.WriteLine($"  (metrics missing from {api}/metrics: {string.Join(", ", wanted.Where(w => !metrics.ContainsKey(w)))}; it has: "
                    + string.Join(", ", metrics.Keys.Where(k => k.Contains("heap", StringComparison.Ordinal) || k.Contains("directory", StringComparison.Ordinal) || k.Contains("catalog", StringComparison.Ordinal))) + ")");
            }

            return new Memory(
                (long)metrics.GetValueOrDefault("dotnet_gc_last_collection_heap_size_bytes"),
                Rss(silo.ProcessId),
                (long)metrics.GetValueOrDefault("orleans_directory_partition_size"),
                (long)metrics.GetValueOrDefault("orleans_catalog_activations"));
        }

        private static long Rss(int pid)
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }

        public async ValueTask DisposeAsync()
        {
            if (_clientHost is not null)
            {
                try
                {
                    await _clientHost.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
                }
                catch (OperationCanceledException)
                {
                }

                _clientHost.Dispose();
            }

            foreach (var silo in Silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
