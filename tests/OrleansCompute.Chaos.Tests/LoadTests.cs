using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OrleansCompute.Grains.Counters;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// No false death under load: 3 silo processes on Redis clustering with the fast failure-detection profile, while
/// word-count jobs keep every CPU of the machine busy. Nobody is killed, so any silo declared dead, fenced or exited is
/// a false alarm of the profile (probe timeouts adapted down to 0.5 s, one missed probe and a failed indirect one = 2
/// votes) or of the isolation watchdog.
/// </summary>
/// <remarks>
/// Duration: <c>OCX_CHAOS_MINUTES</c> (default 0.5, the CI form; <c>./test.sh --chaos</c> runs 10, issue 15's target).
/// The test also proves the load was real: the machine's CPUs were busy for ≥ 85 % of the time (from <c>/proc/stat</c>)
/// and the silo processes themselves used at least 40 % of it (more is taken by the test process and Redis).
/// </remarks>
[Collection("chaos")]
public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_silos_with_every_CPU_busy_declare_nobody_dead()
    {
        var minutes = double.TryParse(Environment.GetEnvironmentVariable("OCX_CHAOS_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 0.5;
        var duration = TimeSpan.FromMinutes(minutes);
        var cores = Environment.ProcessorCount;
        var dataRoot = Path.Combine(Path.GetTempPath(), "ocx-load-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataRoot);
        try
        {
            // About 12 MB of words in 64 KB splits: a job keeps the silos' compute busy for a few seconds.
            var (inputFile, reference) = WordCountJobs.WriteWordFile(dataRoot, new Random(1515), lines: 250_000);
            await using var cluster = await ChaosCluster.StartAsync(3,
            [
                $"--OrleansCompute:Compute:DataRoots:0={dataRoot}",
                "--OrleansCompute:Compute:Jobs:AggregatorCount=3",
                "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information", // votes held back by the connection liveness check
            ], api: false);
            var client = cluster.Client;
            var members = await WaitForActiveMembersAsync(cluster, 3, TimeSpan.FromSeconds(60));
            output.WriteLine($"{cores} CPU(s); members: {string.Join(", ", members)}; load for {duration}");

            var canaries = Enumerable.Range(0, 30).Select(i => $"load-canary-{i}").ToArray();
            foreach (var canary in canaries)
            {
                await client.GetGrain<ICounterGrain>(canary).Add(1);
            }

            using var stop = new CancellationTokenSource();
            var silosCpuBefore = SilosCpu(cluster);
            var machineBefore = MachineCpu.Read();
            var clock = Stopwatch.StartNew();

            // Enough jobs in flight that one's gaps (submit, status polls, reduce) are covered by the others.
            var jobs = new ConcurrentQueue<WordCountJobs.Outcome>();
            var runners = Enumerable.Range(0, 2 * cores)
                .Select(i => Task.Run(() => WordCountJobs.RunAsync(client, $"load-{i}", inputFile, reference, jobs, stop.Token)))
                .ToArray();

            // Meanwhile: the membership rows every second, and a call to every canary every second (10 s to answer).
            var problems = new ConcurrentQueue<string>();
            var suspicions = new ConcurrentDictionary<string, byte>();
            var callTimes = new ConcurrentBag<TimeSpan>();
            var watch = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        foreach (var row in await cluster.MembershipAsync())
                        {
                            if (!members.Contains(row.Address))
                            {
                                problems.Enqueue($"{clock.Elapsed.TotalSeconds:F0} s: a new member appeared: {row.Address} {row.Status}");
                            }
                            else if (!row.IsActive)
                            {
                                problems.Enqueue($"{clock.Elapsed.TotalSeconds:F0} s: {row.SiloName} ({row.Address}) is {row.Status}");
                            }

                            foreach (var suspicion in row.Suspicions)
                            {
                                suspicions.TryAdd($"{row.SiloName} suspected by {suspicion}", 0);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        problems.Enqueue($"{clock.Elapsed.TotalSeconds:F0} s: Redis did not answer: {ex.GetType().Name}: {ex.Message}");
                    }

                    await Task.Delay(1000, CancellationToken.None);
                }
            });
            var probe = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.WhenAll(canaries.Select(async c =>
                    {
                        var call = Stopwatch.StartNew();
                        try
                        {
                            await client.GetGrain<ICounterGrain>(c).Get().WaitAsync(TimeSpan.FromSeconds(10));
                            callTimes.Add(call.Elapsed);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            problems.Enqueue($"{clock.Elapsed.TotalSeconds:F0} s: canary {c} did not answer: {ex.GetType().Name}: {ex.Message}");
                        }
                    }));
                    await Task.Delay(1000, CancellationToken.None);
                }
            });

            await Task.Delay(duration);
            var machineAfter = MachineCpu.Read();
            var silosCpuAfter = SilosCpu(cluster);
            var loadWindow = clock.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll([.. runners, watch, probe]);

            var machineBusy = MachineCpu.BusyFraction(machineBefore, machineAfter);
            var silosShare = (silosCpuAfter - silosCpuBefore).TotalSeconds / (loadWindow.TotalSeconds * cores);
            var unexpected = cluster.UnexpectedExits().ToList();
            var fenced = cluster.Fenced().ToList();
            var finalRows = await cluster.MembershipAsync();
            var exact = jobs.Count(j => j.Exact);

            var report = new ChaosReport($"load, no false death ({duration.TotalMinutes:F1} min, 3 silos, {runners.Length} job loops on {cores} CPUs)");
            report.Add("machine CPU busy / used by the silos", $"{machineBusy:P0} / {silosShare:P0} of {cores} CPUs");
            report.Add("jobs completed exact / all (job time)", $"{exact} / {jobs.Count} ({ChaosReport.Percentiles([.. jobs.Select(j => j.Took)])})");
            report.AddTimes("canary calls (every second, 30 grains)", [.. callTimes]);
            report.Add("members declared dead / fenced / exited", $"{finalRows.Count(r => members.Contains(r.Address) && !r.IsActive)} / {fenced.Count} / {unexpected.Count}");
            report.Add("suspicions written (not deaths)", suspicions.Count);
            report.Add("probes missed / votes held back (the silo's connection was alive)",
                $"{SilosLogged(cluster, "Did not get response for probe")} / {SilosLogged(cluster, "Suppressing vote to suspect silo")}");
            report.Publish(output);
            foreach (var line in problems.Take(20).Concat(suspicions.Keys.Take(20)).Concat(jobs.Where(j => !j.Exact).Select(j => $"job {j.Id}: {j.Problem}")))
            {
                output.WriteLine(line);
            }

            Assert.Empty(unexpected);
            Assert.Empty(fenced);
            Assert.Empty(problems);
            Assert.Equal(3, finalRows.Count);
            Assert.All(finalRows, r => Assert.True(r.IsActive, $"{r.SiloName} is {r.Status}"));
            Assert.NotEmpty(jobs);
            Assert.All(jobs, j => Assert.True(j.Exact, $"job {j.Id}: {j.Problem}"));
            // The test proves nothing unless the CPUs were really busy, mostly with the silos' work.
            Assert.True(machineBusy >= 0.85, $"the machine's CPUs were busy only {machineBusy:P0} of the time");
            Assert.True(silosShare >= 0.4, $"the silo processes used only {silosShare:P0} of the machine");
        }
        finally
        {
            try
            {
                Directory.Delete(dataRoot, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<HashSet<string>> WaitForActiveMembersAsync(ChaosCluster cluster, int count, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Testing.Servers.MembershipRow> rows = [];
        while (clock.Elapsed < limit)
        {
            rows = await cluster.MembershipAsync();
            if (rows.Count(r => r.IsActive) == count)
            {
                return [.. rows.Where(r => r.IsActive).Select(r => r.Address)];
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{count} active members expected; rows: {string.Join(", ", rows.Select(r => $"{r.SiloName} {r.Status}"))}");
    }

    /// <summary>How many lines of the silos' output contain <paramref name="text"/>.</summary>
    internal static int SilosLogged(ChaosCluster cluster, string text) =>
        cluster.Silos.OfType<Testing.Servers.SiloProcess>().Sum(s => s.Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal)));

    private static TimeSpan SilosCpu(ChaosCluster cluster)
    {
        var total = TimeSpan.Zero;
        foreach (var silo in cluster.Silos)
        {
            if (silo is { HasExited: false })
            {
                using var process = Process.GetProcessById(silo.ProcessId);
                total += process.TotalProcessorTime;
            }
        }

        return total;
    }

    /// <summary>The machine's CPU time counters (the first line of <c>/proc/stat</c>, in clock ticks).</summary>
    private readonly record struct MachineCpu(long Busy, long Total)
    {
        public static MachineCpu Read()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal [guest guest_nice, already inside user and nice]
            var total = fields.Take(8).Sum();
            var idle = fields[3] + fields[4];
            return new MachineCpu(total - idle, total);
        }

        public static double BusyFraction(MachineCpu before, MachineCpu after) =>
            after.Total == before.Total ? 0 : (double)(after.Busy - before.Busy) / (after.Total - before.Total);
    }
}
