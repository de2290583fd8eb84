using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Benchmarks.Compute;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using Orleans.Serialization;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;
using StackExchange.Redis;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>small-files</c> (issue 17): word count over a directory of thousands of small files against the same bytes in one
/// file, in the same run — the Linux kernel's documentation from Debian's linux-doc-6.1 (<c>bench/data/fetch.sh
/// kernel-docs</c>: ~5,100 .rst/.txt files, ~28 MB, and <c>kernel-docs.txt</c>, their concatenation). First the engine
/// alone on one thread (what one more file costs: the open cost the planner counts), then real jobs on one silo process
/// (Redis clustering and Redis grain storage, as <c>batch</c>): paired rounds (one file, then the directory, the order
/// alternating), the per-round ratio, the job's persisted state (read from Redis), partition activations, and the
/// silo's memory before, after the rounds, and after a forced collection. <c>OCX_BENCH_SILO_DLL</c> runs another build's
/// silo (e.g. the commit before packing) for a before/after.
/// </summary>
internal static class SmallFilesMacro
{
    public static async Task<int> RunAsync(int rounds)
    {
        var folder = BenchData.Folder;
        var directory = Path.Combine(folder, "kernel-docs");
        var one = BenchData.Require("kernel-docs.txt");
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory} is missing: run bench/data/fetch.sh kernel-docs first.");
        }

        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"small-files: {rounds} paired rounds (after one warm-up); {Environment.ProcessorCount} cores; load average {LoadAverage()}; kernel-docs: {files.Length:N0} files, {bytes:N0} B; as one file {new FileInfo(one).Length:N0} B"));

        // The engine alone: same words either way, and what one more file costs on one thread.
        var expected = Words(BenchData.RunEngine(Spec("e-one", "kernel-docs.txt", 1L << 40)));
        var fromDirectory = Words(BenchData.RunEngine(Spec("e-dir", "kernel-docs", 1L << 40)));
        Check("engine over the directory", expected, fromDirectory);
        var oneTimes = new List<double>();
        var dirTimes = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var t1 = Time(() => BenchData.RunEngine(Spec("e-one", "kernel-docs.txt", 1L << 40)));
            var t2 = Time(() => BenchData.RunEngine(Spec("e-dir", "kernel-docs", 1L << 40)));
            if (round > 0)
            {
                oneTimes.Add(t1);
                dirTimes.Add(t2);
            }
        }

        var perFile = (Median(dirTimes) - Median(oneTimes)) / files.Length;
        var perByte = Median(oneTimes) / bytes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  engine alone, 1 thread, one split each: one file {Median(oneTimes):F3} s, directory {Median(dirTimes):F3} s → one more file costs {perFile * 1e6:F1} µs ≈ {perFile / perByte:N0} B of reading (planner's open cost: {SplitPlanner.DefaultFileOpenCostBytes:N0} B)"));

        // Planning the directory as a job does (2 splits per core), in steps.
        var planTimes = new List<(double Resolve, double Plan, double Encode)>();
        SplitPlan? plan = null;
        byte[]? compact = null;
        for (var round = 0; round <= rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            var resolved = new InputResolver(new DataRootOptions { Roots = { folder } }).Resolve("kernel-docs");
            var resolve = watch.Elapsed.TotalMilliseconds;
            var cost = resolved.Sum(f => f.Length > 0 ? f.Length + SplitPlanner.DefaultFileOpenCostBytes : 0);
            var target = Math.Max((cost + (2 * Environment.ProcessorCount) - 1) / (2 * Environment.ProcessorCount), 4L << 20);
            watch.Restart();
            plan = SplitPlanner.Plan(resolved, new InputSpec { Path = "kernel-docs", TargetSplitBytes = target });
            var planned = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            compact = SplitPlanCodec.Encode(plan);
            planTimes.Add((resolve, planned, watch.Elapsed.TotalMilliseconds));
        }

        var fieldByField = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Orleans.Serialization.Serializer>().SerializeToArray(plan).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  planning the directory (median of {planTimes.Count - 1} after one): resolve {Median([.. planTimes.Skip(1).Select(t => t.Resolve)]):F1} ms, cut + pack {Median([.. planTimes.Skip(1).Select(t => t.Plan)]):F1} ms, encode {Median([.. planTimes.Skip(1).Select(t => t.Encode)]):F1} ms; {plan!.Splits.Count} splits; compact plan {compact!.Length:N0} B (field by field: {fieldByField:N0} B)"));

        await using var redis = await RedisServer.StartAsync();
        var clusterId = "small-" + Guid.NewGuid().ToString("N")[..6];
        await using var silo = await BenchSiloProcess.StartAsync("s1", redis.ConnectionString, clusterId,
            [$"--OrleansCompute:Compute:DataRoots:0={folder}", "--Logging:LogLevel:OrleansCompute.Grains=Warning"]);
        using var clientHost = await BenchSiloProcess.ConnectClientAsync(redis.ConnectionString, clusterId, TimeSpan.FromSeconds(300));
        var client = clientHost.Services.GetRequiredService<IClusterClient>();
        var management = client.GetGrain<IManagementGrain>(0);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var started = await Memory(client, silo);
        Console.WriteLine($"  silo started: {started}");
        var oneJob = new List<double>();
        var dirJob = new List<double>();
        var ratios = new List<double>();
        var only = Environment.GetEnvironmentVariable("OCX_SMALL_FILES_ONLY"); // "one" or "dir": one kind of job per round (memory of each alone)
        for (var round = 0; round <= rounds; round++)
        {
            if (only is "one" or "dir")
            {
                var alone = await RunJob(client, only == "one" ? Spec($"one-{round}", "kernel-docs.txt") : Spec($"dir-{round}", "kernel-docs"), expected);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}, {only} only: {alone.Seconds:F3} s ({Phases(alone.Status)})"));
                Console.WriteLine($"    silo after round {round}: {await Memory(client, silo)}");
                continue;
            }

            // Paired: the machine's speed drifts, so each directory job is compared with the one-file job next to it.
            var dirFirst = round % 2 == 1;
            (double Seconds, JobStatus Status) a, b;
            if (dirFirst)
            {
                b = await RunJob(client, Spec($"dir-{round}", "kernel-docs"), expected);
                a = await RunJob(client, Spec($"one-{round}", "kernel-docs.txt"), expected);
            }
            else
            {
                a = await RunJob(client, Spec($"one-{round}", "kernel-docs.txt"), expected);
                b = await RunJob(client, Spec($"dir-{round}", "kernel-docs"), expected);
            }

            var partitions = await PartitionActivations(client, management, $"dir-{round}");
            var state = StateBytes(connection, $"dir-{round}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round}{(round == 0 ? " (warm-up)" : "")}: one file {a.Seconds:F3} s ({Phases(a.Status)}); directory {b.Seconds:F3} s ({Phases(b.Status)}); ratio {b.Seconds / a.Seconds:F2}; partition activations of the directory job {partitions}; its persisted state {state}"));
            Console.WriteLine($"    silo after round {round}: {await Memory(client, silo)}");
            if (round == 0)
            {
                continue;
            }

            oneJob.Add(a.Seconds);
            dirJob.Add(b.Seconds);
            ratios.Add(b.Seconds / a.Seconds);
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        await management.ForceGarbageCollection(null!);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"  5 s after the last round, after a forced collection: {await Memory(client, silo)}");
        await management.ForceActivationCollection(TimeSpan.Zero); // the finished jobs' grains (kept 15 min otherwise)
        await Task.Delay(TimeSpan.FromSeconds(2));
        await management.ForceGarbageCollection(null!);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"  idle grains deactivated, after a forced collection: {await Memory(client, silo)}");
        await Task.Delay(TimeSpan.FromSeconds(65)); // ArrayPool.Shared trims arrays unused for a minute, at a gen-2 collection
        await management.ForceGarbageCollection(null!);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await management.ForceGarbageCollection(null!);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"  65 s later, after two forced collections: {await Memory(client, silo)}");
        if (Environment.GetEnvironmentVariable("OCX_SMALL_FILES_HOLD") is { Length: > 0 } hold)
        {
            // Keeps the silo up for a heap snapshot (dotnet-gcdump collect -p PID).
            Console.WriteLine($"  holding silo process {silo.ProcessId} for {hold} s");
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold, CultureInfo.InvariantCulture)));
        }

        if (only is "one" or "dir")
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"word count, 1 silo process: one file median {Median(oneJob):F3} s [{Join(oneJob)}]; {files.Length:N0} files median {Median(dirJob):F3} s [{Join(dirJob)}]"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"directory / one file, paired rounds: median {Median(ratios):F2} [{Join(ratios)}] (target ≤ 1.5: {(Median(ratios) <= 1.5 ? "met" : "NOT met")}); load average now {LoadAverage()}"));
        return 0;
    }

    private static ComputeJobSpec Spec(string id, string path, long splitBytes = 64L << 20) => new()
    {
        JobId = id,
        Kind = "word-count",
        Input = new InputSpec { Path = path, TargetSplitBytes = splitBytes },
    };

    private static async Task<(double Seconds, JobStatus Status)> RunJob(IClusterClient client, ComputeJobSpec spec, Dictionary<string, long> expected)
    {
        var job = client.GetGrain<IJobGrain>(spec.JobId);
        var watch = Stopwatch.StartNew();
        await job.Submit(spec);
        JobStatus status;
        do
        {
            status = await job.WaitForEnd(TimeSpan.FromSeconds(30));
        }
        while (status.State is JobState.Queued or JobState.Running);

        var result = await job.GetResult();
        var words = result?.Value is WordCountResult w ? Words(w) : null; // the client decodes every word, as in `batch`
        var seconds = watch.Elapsed.TotalSeconds;
        if (status.State != JobState.Completed || words is null)
        {
            throw new InvalidOperationException($"Job {spec.JobId} ended {status.State}: {status.Error}");
        }

        Check(spec.JobId, expected, words);
        return (seconds, status);
    }

    private static Dictionary<string, long> Words(ComputeJobResult result) => Words((WordCountResult)result.Value!);

    private static Dictionary<string, long> Words(WordCountResult result) => result.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal);

    private static void Check(string who, Dictionary<string, long> expected, Dictionary<string, long> actual)
    {
        if (expected.Count != actual.Count || expected.Any(e => actual.GetValueOrDefault(e.Key) != e.Value))
        {
            throw new InvalidOperationException($"{who}: word counts differ from the engine's over the one file.");
        }
    }

    /// <summary>Partition grains of the job active in the cluster (one per split, if all went well).</summary>
    private static async Task<int> PartitionActivations(IClusterClient client, IManagementGrain management, string jobId)
    {
        var type = client.GetGrain<IPartitionGrain>(JobKeys.Partition(jobId, 0)).GetGrainId().Type;
        var stats = await management.GetDetailedGrainStatistics();
        return stats.Count(s => s.GrainId.Type.Equals(type) && s.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal));
    }

    /// <summary>The job grain's persisted state in Redis (Orleans's Redis grain storage: a hash per grain state).</summary>
    private static string StateBytes(ConnectionMultiplexer redis, string jobId)
    {
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        var found = new List<string>();
        foreach (var key in server.Keys(pattern: $"*job/{jobId}*"))
        {
            long size = db.KeyType(key) == RedisType.Hash ? db.HashGetAll(key).Sum(e => (long)((byte[])e.Value!).Length) : db.StringLength(key);
            found.Add(string.Create(CultureInfo.InvariantCulture, $"{size:N0} B ({key})"));
        }

        return found.Count == 0 ? "not found" : string.Join("; ", found);
    }

    /// <summary>The silo's resident memory (from outside), Orleans's own memory figure and its activations by grain type.</summary>
    private static async Task<string> Memory(IClusterClient client, BenchSiloProcess silo)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true);
        var stats = (await management.GetRuntimeStatistics([.. hosts.Keys])).Single();
        var byType = (await management.GetSimpleGrainStatistics())
            .GroupBy(s => ShortTypeName(s.GrainType))
            .Select(g => $"{g.Key} {g.Sum(s => s.ActivationCount)}");
        using var process = Process.GetProcessById(silo.ProcessId);
        return string.Create(CultureInfo.InvariantCulture,
            $"RSS {process.WorkingSet64 / 1048576.0:F0} MB, Orleans memory usage {stats.EnvironmentStatistics.FilteredMemoryUsageBytes / 1048576.0:F0} MB, {stats.ActivationCount} activations ({string.Join(", ", byType)})");
    }

    /// <summary>The grain class's short name (Orleans reports full type names with the assembly).</summary>
    private static string ShortTypeName(string grainType)
    {
        var end = grainType.IndexOfAny([',', '`', '[']);
        var name = end < 0 ? grainType : grainType[..end];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static string Phases(JobStatus s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.SplitsTotal} splits, plan {s.PlanningTime.TotalMilliseconds:F0} ms, map {s.MapTime.TotalMilliseconds:F0} ms, collect {s.MergeTime.TotalMilliseconds:F0} ms");

    private static double Time(Func<object> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        GC.KeepAlive(run());
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Join(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
