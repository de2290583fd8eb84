using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using OrleansCompute.Benchmarks.Compute;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>batch</c>: issue 5's batch targets in one run, on the same bytes — word count over GCIDE and group-by
/// (origin: count, mean delay, max distance) over the flights CSV, each by: the hand-written single-threaded
/// C# baseline, PLINQ, the engine alone (1 and 2 threads), DuckDB (Node, 1 and 2 threads), and real jobs
/// through the job / partition / aggregator grains on one Orleans silo process and on two silo processes (Orleans's Redis
/// clustering and Redis grain storage, a real redis-server; an Orleans cluster client submits, long-polls WaitForEnd and fetches the result; each grain job runs right after a hand-written baseline round, and the per-round ratios are reported too).
/// Every implementation's result is checked against the hand-written one first. Prints medians and ratios.
/// </summary>
internal static class BatchMacro
{
    private const string DuckDbPackage = "@duckdb/node-api@1.5.6-r.1";

    /// <summary>OCX_BATCH_GROUPBY_ONLY=1: grain rounds run only the group-by job (for profiling it).</summary>
    private static readonly bool s_groupByOnly = Environment.GetEnvironmentVariable("OCX_BATCH_GROUPBY_ONLY") == "1";

    /// <summary>
    /// OCX_BATCH_AB_SILO_DLL=path: group-by A/B instead of the grain rounds — a 1-silo cluster of that build (A; "self":
    /// this build too, with OCX_BATCH_AB_ARGS_A / _B telling the sides apart) and one of this build (B) side by side on one Redis, each group-by job right after its own hand-written run, A and B taking
    /// turns going first; prints where each job's time went (client and <see cref="JobStatus"/> phases).
    /// </summary>
    private static readonly string? s_abSiloDll = Environment.GetEnvironmentVariable("OCX_BATCH_AB_SILO_DLL") is { Length: > 0 } ab ? ab : null;

    /// <param name="rounds">timed rounds per implementation (after one warm-up)</param>
    /// <param name="quick">only the hand-written baselines, the engine alone and the grains (no PLINQ, no DuckDB): for iterating, not for the record</param>
    /// <param name="grainsOnly">only the hand-written baselines and the grains (implies quick)</param>
    /// <param name="siloCounts">the grain clusters to run (default 1 and 2 silo processes)</param>
    public static async Task<int> RunAsync(int rounds, bool quick = false, bool grainsOnly = false, int[]? siloCounts = null)
    {
        quick |= grainsOnly;
        siloCounts ??= [1, 2];
        var folder = BenchData.Folder;
        var gcide = BenchData.Require("gcide.txt");
        var flights = BenchData.Require("flights-3m.csv");
        var results = new List<Measurement>();
        var paired = new List<(string Job, int Silos, List<double> Ratios)>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch: {rounds} timed rounds each (after one warm-up); {Environment.ProcessorCount} cores; gcide {new FileInfo(gcide).Length:N0} B, flights {new FileInfo(flights).Length:N0} B"));

        // Reference results (hand-written) and the checks every other implementation must pass.
        var words = WordCountBenchmarks.Baseline(gcide);
        var groups = GroupByBenchmarks.Baseline(flights);
        if (!quick)
        {
            CheckWords("PLINQ", words, WordCountBenchmarks.Plinq(gcide));
            CheckGroups("PLINQ", groups, GroupByBenchmarks.Plinq(flights).ToDictionary(p => p.Key, p => (p.Value.Count, (decimal?)null, p.Value.Max)));
        }

        CheckWords("engine", words, EngineWords((WordCountResult)BenchData.RunEngine(WordCountSpec("check", 16 << 20)).Value!));
        CheckGroups("engine", groups, EngineGroups((GroupByResult)BenchData.RunEngine(GroupBySpec("check", 16 << 20)).Value!));

        // In-process implementations.
        results.Add(Measure("word count", "hand-written C#, 1 thread", rounds, () => WordCountBenchmarks.Baseline(gcide)));
        if (!quick)
        {
            results.Add(Measure("word count", "PLINQ", rounds, () => WordCountBenchmarks.Plinq(gcide)));
        }

        if (!grainsOnly)
        {
            results.Add(Measure("word count", "engine alone, 1 thread", rounds, () => BenchData.RunEngine(WordCountSpec("e1", 16 << 20))));
            results.Add(Measure("word count", "engine alone, 2 threads", rounds, () => BenchData.RunEngine(WordCountSpec("e2", 16 << 20), threads: 2)));
        }

        results.Add(Measure("group-by", "hand-written C#, 1 thread", rounds, () => GroupByBenchmarks.Baseline(flights)));
        if (!quick)
        {
            results.Add(Measure("group-by", "PLINQ", rounds, () => GroupByBenchmarks.Plinq(flights)));
        }
        if (!grainsOnly)
        {
            results.Add(Measure("group-by", "engine alone, 1 thread", rounds, () => BenchData.RunEngine(GroupBySpec("e1", 16 << 20))));
            results.Add(Measure("group-by", "engine alone, 2 threads", rounds, () => BenchData.RunEngine(GroupBySpec("e2", 16 << 20), threads: 2)));
        }

        // DuckDB.
        foreach (var threads in quick ? [] : new[] { 1, 2 })
        {
            results.AddRange(await DuckDb(folder, threads, rounds, words, groups));
        }

        // Real jobs through the grains, one and two silo processes.
        await using (var redis = await RedisServer.StartAsync())
        {
            if (s_abSiloDll is { } other)
            {
                await GroupByAb(redis.ConnectionString, folder, rounds, groups, flights, other);
                return 0;
            }

            foreach (var siloCount in siloCounts)
            {
                results.AddRange(await Grains(redis.ConnectionString, folder, siloCount, rounds, words, groups, gcide, flights, paired));
            }
        }

        Print([.. results.Where(r => r.Times.Count > 0)]);
        Console.WriteLine();
        foreach (var (job, silos, ratios) in paired.Where(p => p.Ratios.Count > 0))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{job}, {silos} silo(s) / hand-written run just before it (paired rounds): median {Median(ratios):F2}, best {ratios.Min():F2} [{string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}]"));
        }

        return 0;
    }

    internal static ComputeJobSpec WordCountSpec(string id, long splitBytes = 64L << 20) => new()
    {
        JobId = id,
        Kind = "word-count",
        Input = new InputSpec { Path = "gcide.txt", TargetSplitBytes = splitBytes },
    };

    internal static ComputeJobSpec GroupBySpec(string id, long splitBytes = 64L << 20) => new()
    {
        JobId = id,
        Kind = "group-by",
        Input = new InputSpec { Path = "flights-3m.csv", Format = InputFormat.Csv, TargetSplitBytes = splitBytes },
        GroupBy = new GroupByOptions
        {
            KeyColumns = ["origin"],
            Aggregates = [AggregateSpec.Of(AggregateFunction.Count), AggregateSpec.Of(AggregateFunction.Mean, "delay"), AggregateSpec.Of(AggregateFunction.Max, "distance")],
        },
    };

    private static double Time(Func<object> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        GC.KeepAlive(run());
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>CPU seconds (user + system) the silo processes have used so far: steadier than wall time on shared cores.</summary>
    internal static double SiloCpu(List<BenchSiloProcess> silos) => silos.Sum(s =>
    {
        using var process = Process.GetProcessById(s.ProcessId);
        return process.TotalProcessorTime.TotalSeconds;
    });

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Measurement Measure(string job, string name, int rounds, Func<object> run)
    {
        run(); // warm-up (JIT, page cache)
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var watch = Stopwatch.StartNew();
            GC.KeepAlive(run());
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return Report(new Measurement(job, name, times));
    }

    private static async Task<IEnumerable<Measurement>> DuckDb(string folder, int threads, int rounds, Dictionary<string, long> words, Dictionary<string, GroupByBenchmarks.Group> groups)
    {
        var modules = Path.Combine(Path.GetDirectoryName(folder)!, "duckdb-node");
        if (!Directory.Exists(Path.Combine(modules, "node_modules", "@duckdb", "node-api")))
        {
            Directory.CreateDirectory(modules);
            if (!File.Exists(Path.Combine(modules, "package.json")))
            {
                await File.WriteAllTextAsync(Path.Combine(modules, "package.json"), "{\"private\":true}\n");
            }

            Console.WriteLine($"installing {DuckDbPackage} into {modules}");
            await RunProcess("npm", modules, null, "install", "--silent", "--no-audit", "--no-fund", DuckDbPackage);
        }

        var script = Path.Combine(AppContext.BaseDirectory, "Macro", "duckdb-batch.js");
        var output = await RunProcess("node", modules, Path.Combine(modules, "node_modules"), script, folder, threads.ToString(CultureInfo.InvariantCulture), (rounds + 1).ToString(CultureInfo.InvariantCulture));
        var wc = new List<double>();
        var gb = new List<double>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var round = root.GetProperty("round").GetInt32();
            var seconds = root.GetProperty("seconds").GetDouble();
            if (root.GetProperty("job").GetString() == "wordcount")
            {
                var distinct = root.GetProperty("distinct").GetInt64();
                var total = root.GetProperty("total").GetInt64();
                if (round == 1)
                {
                    // GCIDE has lines that are not UTF-8, which DuckDB skips: its totals may be slightly lower.
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  duckdb word count check: {distinct:N0} distinct / {total:N0} words (hand-written: {words.Count:N0} / {words.Values.Sum():N0}; DuckDB skips lines that are not valid UTF-8)"));
                }

                if (round > 1)
                {
                    wc.Add(seconds);
                }
            }
            else
            {
                var expected = string.Join(",", groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Value.Count}:{g.Value.Sum}:{g.Value.Max}"));
                if (root.GetProperty("check").GetString() != expected)
                {
                    throw new InvalidOperationException("DuckDB's group-by disagrees with the hand-written baseline.");
                }

                if (round > 1)
                {
                    gb.Add(seconds);
                }
            }
        }

        return [Report(new Measurement("word count", $"DuckDB (Node), {threads} thread{(threads > 1 ? "s" : "")}", wc)),
            Report(new Measurement("group-by", $"DuckDB (Node), {threads} thread{(threads > 1 ? "s" : "")}", gb))];
    }

    private static async Task<IEnumerable<Measurement>> Grains(string redis, string folder, int siloCount, int rounds, Dictionary<string, long> words,
        Dictionary<string, GroupByBenchmarks.Group> groups, string gcide, string flights, List<(string Job, int Silos, List<double> Ratios)> paired)
    {
        var clusterId = "batch-" + Guid.NewGuid().ToString("N")[..6];
        string[] arguments = [$"--OrleansCompute:Compute:DataRoots:0={folder}", "--Logging:LogLevel:OrleansCompute.Grains=Warning"];
        var silos = new List<BenchSiloProcess>();
        try
        {
            for (var i = 1; i <= siloCount; i++)
            {
                silos.Add(await BenchSiloProcess.StartAsync($"b{i}", redis, clusterId, arguments));
            }

            using var clientHost = await BenchSiloProcess.ConnectClientAsync(redis, clusterId, TimeSpan.FromSeconds(60));
            var client = clientHost.Services.GetRequiredService<IClusterClient>();

            var name = siloCount == 1 ? "grains, 1 silo process" : $"grains, {siloCount} silo processes";
            var wc = new List<double>();
            var gb = new List<double>();
            var wcRatios = new List<double>();
            var gbRatios = new List<double>();
            for (var round = 0; round <= rounds; round++)
            {
                // Each job right after its hand-written baseline on the same bytes: the machine's speed drifts (shared
                // cores), so the ratio of the pair is steadier than the ratio of medians taken minutes apart.
                double wcBase = 0, wcTime = 0, wcCpu = 0;
                JobStatus? wcStatus = null;
                if (s_groupByOnly is false)
                {
                    wcBase = Time(() => WordCountBenchmarks.Baseline(gcide));
                    var before = SiloCpu(silos);
                    (wcTime, var wcResult, wcStatus) = await RunJob(client, WordCountSpec($"wc-{siloCount}-{round}"));
                    wcCpu = SiloCpu(silos) - before;
                    CheckWords(name, words, EngineWords((WordCountResult)wcResult.Value!));
                }

                var gbBase = Time(() => GroupByBenchmarks.Baseline(flights));
                var cpu = SiloCpu(silos);
                var (gbTime, gbResult, gbStatus) = await RunJob(client, GroupBySpec($"gb-{siloCount}-{round}"));
                var gbCpu = SiloCpu(silos) - cpu;
                CheckGroups(name, groups, EngineGroups((GroupByResult)gbResult.Value!));
                if (round > 0)
                {
                    if (wcStatus is not null)
                    {
                        wc.Add(wcTime);
                        wcRatios.Add(wcTime / wcBase);
                    }

                    gb.Add(gbTime);
                    gbRatios.Add(gbTime / gbBase);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name} round {round}{(round == 0 ? " (warm-up)" : "")}: word count {wcTime:F3} s / hand-written {wcBase:F3} s, silo CPU {wcCpu:F2} s ({(wcStatus is null ? "skipped" : Phases(wcStatus))}); group-by {gbTime:F3} s / hand-written {gbBase:F3} s, silo CPU {gbCpu:F2} s ({Phases(gbStatus)})"));
            }

            paired.Add(("word count", siloCount, wcRatios));
            paired.Add(("group-by", siloCount, gbRatios));
            return [Report(new Measurement("word count", name, wc)), Report(new Measurement("group-by", name, gb))];
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task GroupByAb(string redis, string folder, int rounds, Dictionary<string, GroupByBenchmarks.Group> groups, string flights, string otherDll)
    {
        string[] arguments = [$"--OrleansCompute:Compute:DataRoots:0={folder}", "--Logging:LogLevel:OrleansCompute.Grains=Warning"];
        var sides = new (string Name, BenchSiloProcess Silo, IHost Client, List<double> Ratios, List<double> Times)[2];
        try
        {
            foreach (var (side, dll) in new[] { (0, otherDll == "self" ? null : otherDll), (1, (string?)null) })
            {
                var clusterId = $"ab{side}-" + Guid.NewGuid().ToString("N")[..6];
                // OCX_BATCH_AB_ARGS_A / _B: more silo arguments for one side (e.g. --OrleansCompute:Compute:Jobs:SplitsPerCore=4).
                var more = Environment.GetEnvironmentVariable(side == 0 ? "OCX_BATCH_AB_ARGS_A" : "OCX_BATCH_AB_ARGS_B")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
                // OCX_BATCH_AB_SPLIT_TIMES=1: the silos log each split's wait for a compute thread, map and merges (Debug).
                string[] splitTimes = Environment.GetEnvironmentVariable("OCX_BATCH_AB_SPLIT_TIMES") == "1" ? ["--Logging:LogLevel:OrleansCompute.Grains.Jobs.PartitionGrain=Debug"] : [];
                var silo = await BenchSiloProcess.StartAsync($"ab{side}", redis, clusterId, [.. arguments, .. more, .. splitTimes], dll);
                var host = await BenchSiloProcess.ConnectClientAsync(redis, clusterId, TimeSpan.FromSeconds(60));
                sides[side] = (side == 0 ? "A (" + otherDll + ")" : "B (this build)", silo, host, [], []);
            }

            for (var round = 0; round <= rounds + 1; round++) // two warm-ups: each side goes first once
            {
                foreach (var side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    var (name, silo, host, ratios, times) = sides[side];
                    var client = host.Services.GetRequiredService<IClusterClient>();
                    var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                    var baseline = Time(() => GroupByBenchmarks.Baseline(flights));
                    var cpu = SiloCpu([silo]);
                    var (seconds, result, status, client3) = await RunJobTraced(client, GroupBySpec($"ab{side}-{round}"));
                    cpu = SiloCpu([silo]) - cpu;
                    CheckGroups(name, groups, EngineGroups((GroupByResult)result.Value!));
                    var splits = await client.GetGrain<IJobGrain>($"ab{side}-{round}").GetSplits(0, 100, null);
                    if (round > 1)
                    {
                        ratios.Add(seconds / baseline);
                        times.Add(seconds);
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {(side == 0 ? "A" : "B")} round {round}{(round <= 1 ? " (warm-up)" : "")}, load {load}: {seconds * 1000:F0} ms / hand-written {baseline * 1000:F0} ms = {seconds / baseline:F2}; silo CPU {cpu:F2} s; client: submit {client3.Submit:F1}, until end {client3.Wait:F1}, result {client3.Result:F1} ms; job {(status.FinishedAt - status.SubmittedAt)?.TotalMilliseconds:F1} ms: plan {status.PlanningTime.TotalMilliseconds:F1}, map {status.MapTime.TotalMilliseconds:F1}, collect {status.CollectTime.TotalMilliseconds:F1}, finish {status.FinishTime.TotalMilliseconds:F1} ms; splits {string.Join(" ", splits.Splits.Select(s => s.DurationMs))} ms"));
                }
            }

            foreach (var line in sides.SelectMany(s => s.Silo.Output.Split('\n')).Where(l => l.Contains(" split ", StringComparison.Ordinal) && l.Contains("compute thread", StringComparison.Ordinal)))
            {
                Console.WriteLine("  " + line.Trim());
            }

            foreach (var (name, _, _, ratios, times) in sides)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"group-by {name}: paired median {Median(ratios):F2} [{string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}], median job {Median(times) * 1000:F0} ms"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"B / A, per round (paired ratios): median {Median([.. sides[1].Ratios.Zip(sides[0].Ratios, (b, a) => b / a)]):F2}"));
        }
        finally
        {
            foreach (var side in sides.Where(s => s.Silo is not null))
            {
                side.Client.Dispose();
                await side.Silo.DisposeAsync();
            }
        }
    }

    /// <summary><see cref="RunJob"/>, and how long the client waited for each call (ms).</summary>
    private static async Task<(double Seconds, ComputeJobResult Result, JobStatus Status, (double Submit, double Wait, double Result) Client)> RunJobTraced(IClusterClient client, ComputeJobSpec spec)
    {
        var job = client.GetGrain<IJobGrain>(spec.JobId);
        var watch = Stopwatch.StartNew();
        await job.Submit(spec);
        var submitted = watch.Elapsed.TotalMilliseconds;
        JobStatus status;
        do
        {
            status = await job.WaitForEnd(TimeSpan.FromSeconds(30));
        }
        while (status.State is JobState.Queued or JobState.Running);

        var ended = watch.Elapsed.TotalMilliseconds;
        var result = await job.GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        return status.State == JobState.Completed && result is not null
            ? (seconds, result, status, (submitted, ended - submitted, (seconds * 1000) - ended))
            : throw new InvalidOperationException($"Job {spec.JobId} ended {status.State}: {status.Error}");
    }

    internal static async Task<(double Seconds, ComputeJobResult Result, JobStatus Status)> RunJob(IClusterClient client, ComputeJobSpec spec)
    {
        var job = client.GetGrain<IJobGrain>(spec.JobId);
        var watch = Stopwatch.StartNew();
        await job.Submit(spec);
        JobStatus status;
        do
        {
            status = await job.WaitForEnd(TimeSpan.FromSeconds(30)); // long poll: answers the moment the job has ended
        }
        while (status.State is JobState.Queued or JobState.Running);

        var result = await job.GetResult();
        if (result?.Value is WordCountResult words)
        {
            GC.KeepAlive(words.Words); // the client decodes every word (the baselines make a string per word too)
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return status.State == JobState.Completed && result is not null
            ? (seconds, result, status)
            : throw new InvalidOperationException($"Job {spec.JobId} ended {status.State}: {status.Error}");
    }

    private static string Phases(JobStatus s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.SplitsTotal} splits, plan {s.PlanningTime.TotalMilliseconds:F0} ms, map {s.MapTime.TotalMilliseconds:F0} ms, collect {s.MergeTime.TotalMilliseconds:F0} ms");

    internal static Dictionary<string, long> EngineWords(WordCountResult result) => result.Words.ToDictionary(w => w.Word, w => w.Count, StringComparer.Ordinal);

    internal static Dictionary<string, (long Count, decimal? Mean, long Max)> EngineGroups(GroupByResult result) =>
        result.Rows.ToDictionary(r => r.Key[0]!, r => ((long)r.Values[0]!.Value, r.Values[1], (long)r.Values[2]!.Value), StringComparer.Ordinal);

    internal static void CheckWords(string who, Dictionary<string, long> expected, Dictionary<string, long> actual)
    {
        if (expected.Count != actual.Count || expected.Any(e => actual.GetValueOrDefault(e.Key) != e.Value))
        {
            throw new InvalidOperationException($"{who}: word counts differ from the hand-written baseline.");
        }
    }

    internal static void CheckGroups(string who, Dictionary<string, GroupByBenchmarks.Group> expected, Dictionary<string, (long Count, decimal? Mean, long Max)> actual)
    {
        if (expected.Count != actual.Count || expected.Any(e => !actual.TryGetValue(e.Key, out var a) || a.Count != e.Value.Count || a.Max != e.Value.Max
            || (a.Mean is { } mean && mean != (decimal)e.Value.Sum / e.Value.Count)))
        {
            throw new InvalidOperationException($"{who}: group-by differs from the hand-written baseline.");
        }
    }

    private static Measurement Report(Measurement m)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {m.Job}, {m.Name}: median {m.Median:F3} s [{string.Join(", ", m.Times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}]"));
        return m;
    }

    private static void Print(List<Measurement> results)
    {
        Console.WriteLine();
        Console.WriteLine("| job | implementation | median s | × hand-written 1 thread | × PLINQ | best s | best × hand-written best |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var job in results.Select(r => r.Job).Distinct())
        {
            var single = results.Single(r => r.Job == job && r.Name.StartsWith("hand-written", StringComparison.Ordinal)).Median;
            var plinq = results.SingleOrDefault(r => r.Job == job && r.Name == "PLINQ")?.Median ?? double.NaN;
            var singleBest = results.Single(r => r.Job == job && r.Name.StartsWith("hand-written", StringComparison.Ordinal)).Best;
            foreach (var r in results.Where(r => r.Job == job))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {job} | {r.Name} | {r.Median:F3} | {r.Median / single:F2} | {r.Median / plinq:F2} | {r.Best:F3} | {r.Best / singleBest:F2} |"));
            }
        }

        Console.WriteLine();
        foreach (var job in results.Select(r => r.Job).Distinct())
        {
            var single = results.Single(r => r.Job == job && r.Name.StartsWith("hand-written", StringComparison.Ordinal)).Median;
            var plinq = results.SingleOrDefault(r => r.Job == job && r.Name == "PLINQ")?.Median ?? double.NaN;
            var one = results.SingleOrDefault(r => r.Job == job && r.Name == "grains, 1 silo process")?.Median ?? double.NaN;
            var two = results.SingleOrDefault(r => r.Job == job && r.Name == "grains, 2 silo processes")?.Median ?? double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{job}: 1 silo / hand-written = {one / single:F2} (target ≤ 0.6: {Verdict(one / single <= 0.6)}); 1 silo / PLINQ = {one / plinq:F2} (target ≤ 1.2: {Verdict(one / plinq <= 1.2)}); 2 silos / 1 silo = {two / one:F2} (target ≤ 1.3: {Verdict(two / one <= 1.3)})"));
        }
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static async Task<string> RunProcess(string file, string workingDirectory, string? nodePath, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (nodePath is not null)
        {
            start.Environment["NODE_PATH"] = nodePath;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
    }

    private sealed record Measurement(string Job, string Name, List<double> Times)
    {
        /// <summary>The fastest round: on a shared machine noise only adds time, so this is the least disturbed figure.</summary>
        public double Best => Times.Min();

        public double Median => BatchMacro.Median(Times);
    }
}
