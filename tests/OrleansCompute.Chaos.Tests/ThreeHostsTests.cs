using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Client;
using OrleansCompute.Client.Contracts;
using OrleansCompute.Grains.Counters;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Chaos.Tests;

/// <summary>
/// Three hosts, simulated (issue 20): three Linux network namespaces on a bridge, each a "host" with its own address and
/// one silo process advertising that address (silo, gateway and HTTP API on it), Redis in a fourth. The test is the
/// user: it ingests and runs word-count jobs through the HTTP API (round robin over the hosts that are up, as a load
/// balancer would) while one host is taken down whole — every process in its namespace gets SIGKILL, then its link goes
/// down. Asserts: every job exact, ingest acknowledged = counted (nothing lost or doubled), and the cluster serves again
/// (every canary grain answers, a job submitted after the loss completes) within the failover target.
/// </summary>
/// <remarks>
/// CI form: one host lost (host3). Full form (<c>./test.sh --chaos N</c>, <c>OCX_CHAOS_MINUTES</c> set): each host lost in
/// turn (host3, host1, host2), brought back (link up, a new silo process that joins as a new member) before the next.
/// </remarks>
[Collection("chaos")]
public sealed class ThreeHostsTests(ITestOutputHelper output)
{
    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;
    private const int ApiPort = 8080;
    private const string Dataset = "hosts";

    /// <summary>
    /// The failover target (bench/README.md, "failover"): kill -9 of a silo → its grains answer elsewhere, p50 ≤ 2 s,
    /// p95 ≤ 4 s. The report shows each loss against it. A single loss is held to the bound <c>KillNineTests</c> uses for
    /// one kill (6 s): a whole host whose link goes down makes the survivors' probes time out rather than fail at once,
    /// and on a 2-core machine at load 14–28 single losses took 4.0–5.5 s with the earlier 1 s probe floor (4 of 14),
    /// at most 3.7 s with the 0.5 s floor (21 losses at load 7–19; chaos README).
    /// </summary>
    private static readonly TimeSpan s_failoverTarget = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan s_singleLossBound = TimeSpan.FromSeconds(6);

    [NetworkNamespaceFact]
    public async Task Losing_one_of_three_hosts_whole_keeps_jobs_and_ingest_exact_and_the_cluster_serves_again_within_the_failover_target()
    {
        var full = Environment.GetEnvironmentVariable("OCX_CHAOS_MINUTES") is { Length: > 0 };
        int[] losses = full ? [2, 0, 1] : [2];
        var seed = Random.Shared.Next(1, 1_000_000);
        var report = new ChaosReport($"three hosts ({(full ? "full form: each host lost in turn" : "CI form: one host lost")}, seed {seed})");
        var dataRoot = Path.Combine(Path.GetTempPath(), "ocx-hosts-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataRoot);
        var silos = new SiloProcess?[3];
        var https = new List<HttpClient>();
        try
        {
            var (inputFile, reference) = WordCountJobs.WriteWordFile(dataRoot, new Random(seed), lines: 30_000);
            using var lab = NetworkLab.Create();
            output.WriteLine(lab.ToString());
            var redisAddress = lab.AddHost("redis", 10);
            var hostAddress = Enumerable.Range(1, 3).Select(i => lab.AddHost($"host{i}", i)).ToArray();
            await using var redis = await RedisServer.StartAsync(new RedisServerOptions
            {
                BindAddress = redisAddress,
                Port = 6379,
                NetworkNamespace = lab.Namespace("redis"),
            });
            var clusterId = "hosts-" + Guid.NewGuid().ToString("N")[..6];
            var apiKey = Guid.NewGuid().ToString("N"); // the API listens on the host's address, not loopback: a key is required
            var incarnations = new int[3];
            SiloProcessOptions SiloStart(int i) => new()
            {
                Name = incarnations[i] == 0 ? $"host{i + 1}" : $"host{i + 1}-r{incarnations[i]}",
                Redis = redis.ConnectionString,
                ClusterId = clusterId,
                AdvertisedAddress = hostAddress[i],
                ListenAddress = "0.0.0.0",
                SiloPort = SiloPort,
                GatewayPort = GatewayPort,
                ApiPort = ApiPort,
                ApiAddress = hostAddress[i],
                NetworkNamespace = lab.Namespace($"host{i + 1}"),
                ExtraArguments =
                [
                    $"--OrleansCompute:Compute:DataRoots:0={dataRoot}",
                    "--OrleansCompute:Compute:Jobs:AggregatorCount=3",
                    $"--OrleansCompute:Api:ApiKeys:0={apiKey}",
                    // Probe misses are Orleans warnings; votes and evictions are information: the stages of each loss, printed below.
                    "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
                ],
            };

            var clock = Stopwatch.StartNew();
            (await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync(SiloStart(i))))).CopyTo(silos, 0);
            var started = clock.Elapsed;

            // Each silo advertises its own host's address (membership rows name it).
            var rows = await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId);
            Assert.Equal(hostAddress.Select(a => $"{a}:{SiloPort}").Order(), rows.Where(r => r.IsActive).Select(r => r.Endpoint).Order());

            // The user's side: the HTTP API of the hosts that are up, round robin (a load balancer that drops a host
            // the moment it is down), and an Orleans client (canaries, placement, membership).
            var up = new[] { true, true, true };
            var apis = hostAddress.Select(a =>
            {
                var http = new HttpClient { BaseAddress = new Uri($"http://{a}:{ApiPort}/"), Timeout = TimeSpan.FromSeconds(15) };
                https.Add(http);
                return new OcxClient(http, apiKey);
            }).ToArray();
            var next = 0;
            int NextHost()
            {
                var live = Enumerable.Range(0, 3).Where(i => Volatile.Read(ref up[i])).ToArray();
                return live.Length == 0
                    ? throw new HttpRequestException("no host is up")
                    : live[(int)((uint)Interlocked.Increment(ref next) % (uint)live.Length)];
            }

            await using var client = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId, TimeSpan.FromSeconds(5));
            var management = client.Client.GetGrain<IManagementGrain>(0);
            var canaries = Enumerable.Range(0, 60).Select(i => $"canary-{i}").ToArray();
            await Task.WhenAll(canaries.Select(c => client.GetGrain<ICounterGrain>(c).Add(1)));

            using var http = new HttpIngest(() => $"http://{hostAddress[NextHost()]}:{ApiPort}", apiKey);
            var keys = Enumerable.Range(0, 50).Select(i => $"hk{i}").ToArray();
            var producers = Enumerable.Range(0, 2)
                .Select(i => new Producer($"hosts-p{i}-{seed}", keys, 25, seed + i, http.Sender(Dataset)))
                .ToList();
            using var stop = new CancellationTokenSource();
            var ingest = producers.Select(p => Task.Run(() => p.RunAsync(clock, 1_000_000, TimeSpan.FromSeconds(60), TimeSpan.Zero, stop.Token))).ToArray();
            var jobs = new ApiJobs(apis, NextHost, inputFile, reference, clock);
            var jobRunner = Task.Run(() => jobs.RunAsync(stop.Token));
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  3 silos up after {started.TotalSeconds:F1} s; client, canaries, ingest and jobs started");

            var detections = new List<TimeSpan>();
            var recoveries = new List<TimeSpan>();
            var stalls = new List<TimeSpan>();
            var lossTimes = new List<TimeSpan>();
            var failures = new List<string>();
            var afterLoss = new List<ApiJobs.Outcome>();
            foreach (var victim in losses)
            {
                var host = $"host{victim + 1}";
                // Work under way first: every producer acknowledged since the last change, a job has splits done and more to do.
                var settled = clock.Elapsed;
                var acksBefore = producers.Select(p => p.EventsAcknowledged).ToArray();
                while (clock.Elapsed - settled < TimeSpan.FromSeconds(60)
                    && (jobs.Running is null || producers.Select((p, i) => p.EventsAcknowledged <= acksBefore[i]).Any(b => b)))
                {
                    await Task.Delay(20);
                }

                Assert.True(jobs.Running is not null, $"no job was running before {host} went down ({jobs.Ended} ended)");
                output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  steady: {jobs.Ended} job(s) ended, {producers.Sum(p => p.EventsAcknowledged)} events acknowledged");
                var victimRow = (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId))
                    .Single(r => r.IsActive && r.Endpoint == $"{hostAddress[victim]}:{SiloPort}");
                // Canaries on the victim: placement may have left none there (the earlier losses moved canaries, a host
                // brought back starts empty), so new ones are called until some live on it.
                var victimCanaries = new HashSet<string>();
                for (var added = 0; ; added += 20)
                {
                    foreach (var canary in canaries)
                    {
                        if ((await management.GetActivationAddress(client.GetGrain<ICounterGrain>(canary)))?.Endpoint.Address.ToString() == hostAddress[victim])
                        {
                            victimCanaries.Add(canary);
                        }
                    }

                    if (victimCanaries.Count > 0 || added >= 200)
                    {
                        break;
                    }

                    var extra = Enumerable.Range(canaries.Length, 20).Select(i => $"canary-{i}").ToArray();
                    await Task.WhenAll(extra.Select(c => client.GetGrain<ICounterGrain>(c).Add(1)));
                    canaries = [.. canaries, .. extra];
                }

                var onVictim = victimCanaries.Count;

                Assert.True(onVictim > 0, $"no canary lives on {host} even after {canaries.Length} canaries: the recovery time would measure nothing");

                // Down whole: the load balancer stops sending to it, every process in its namespace gets SIGKILL, its link goes down.
                var jobAtLoss = jobs.Running;
                Volatile.Write(ref up[victim], false);
                var since = Stopwatch.StartNew();
                var lossAt = clock.Elapsed;
                var lossUtc = DateTime.Now; // the silos log local time
                lossTimes.Add(lossAt);
                var killed = lab.TakeDown(host);
                var downIn = since.Elapsed;
                Assert.Contains(silos[victim]!.ProcessId, killed);
                await silos[victim]!.DisposeAsync();
                silos[victim] = null;

                // Serving again: every canary answers (each retried on its own, 0.5 s per try, as bench's failover
                // measures), and batch work too: a job submitted right after the loss completes exact.
                var detection = PartitionTests.WaitDeclaredDeadAsync(redis.ConnectionString, clusterId, victimRow.Address, since, TimeSpan.FromSeconds(30));
                var recovery = WaitCanariesAsync(client.Client, canaries, victimCanaries, since, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
                var afterJob = jobs.RunOneAsync($"after-{host}-{Guid.NewGuid():N}"[..20]);
                var (detected, (recovered, canaryTrace)) = (await detection, await recovery);
                var firstAfter = await afterJob;
                var stall = producers.Max(p => p.LongestPause(lossAt, clock.Elapsed));
                output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {host} down ({killed.Count} process(es) killed, link down {downIn.TotalMilliseconds:F0} ms after the kill; "
                    + $"{onVictim} of {canaries.Length} canaries on it; job {jobAtLoss} running): declared dead after {Ms(detected)}, "
                    + $"all canaries answered after {Ms(recovered)}, longest ingest pause {stall.TotalMilliseconds:F0} ms, "
                    + $"job submitted after the loss: {firstAfter?.Id} ended after {Ms(firstAfter?.Ended - lossAt)}");
                foreach (var line in canaryTrace)
                {
                    output.WriteLine(line);
                }

                foreach (var line in SurvivorLines(silos, $"{hostAddress[victim]}:{SiloPort}", lossUtc))
                {
                    output.WriteLine(line);
                }

                report.Add($"{host} down: processes killed / canaries on it / job running then", $"{killed.Count} / {onVictim} of {canaries.Length} / {jobAtLoss}");
                report.Add($"{host} down: kill → declared dead (row)", $"{Ms(detected)}");
                report.Add($"{host} down: kill → all canaries answer", $"{Ms(recovered)} (target ≤ {s_failoverTarget.TotalSeconds:F0} s)");
                report.Add($"{host} down: longest pause between ingest acks", $"{stall.TotalMilliseconds:F0} ms");
                report.Add($"{host} down: job submitted after it → completed exact", $"{Ms(firstAfter?.Ended - lossAt)}");
                if (detected is { } d)
                {
                    detections.Add(d);
                }
                else
                {
                    failures.Add($"{host} was not declared dead within 30 s");
                }

                if (recovered is { } r)
                {
                    recoveries.Add(r);
                }
                else
                {
                    failures.Add($"{host}: the canaries did not all answer within 30 s");
                }

                stalls.Add(stall);
                if (firstAfter is not { Exact: true })
                {
                    failures.Add($"{host}: the job submitted after the loss did not complete exact: {firstAfter?.Problem ?? "its submit was never answered"}");
                }
                else
                {
                    afterLoss.Add(firstAfter);
                }

                if (full)
                {
                    // Brought back: link up, a new silo process (the supervisor's restart), a new member.
                    lab.Heal(host);
                    incarnations[victim]++;
                    silos[victim] = await SiloProcess.StartAsync(SiloStart(victim));
                    Volatile.Write(ref up[victim], true);
                }
            }

            // Full form: a little more work on the restored cluster. Then stop and drain.
            var more = jobs.Ended;
            var tail = clock.Elapsed;
            while (full && jobs.Ended <= more && clock.Elapsed - tail < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            await Task.WhenAll(ingest);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  stopped; ingest drained");
            await jobRunner;
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  last job ended");
            var check = await LedgerCheck.RunAsync(keys, producers, (k, ct) => http.CountAsync(Dataset, k, ct), TimeSpan.FromSeconds(20));
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  ledger checked");
            var unexpected = silos.Where(s => s is { HasExited: true }).Select(s => $"{s!.Name} exited with {s.ExitCode}").ToList();
            var outcomes = jobs.Outcomes.ToList();
            var spanning = outcomes.Count(j => lossTimes.Any(t => j.Submitted < t && j.Ended > t));

            report.Add("hosts (namespaces) / Redis", $"host1..3 = {string.Join(", ", hostAddress)} / {redisAddress} (10.213.{lab.Subnet}.0/24)");
            report.Add("cluster start (3 silo processes)", $"{started.TotalMilliseconds:F0} ms");
            report.AddTimes("kill → declared dead", detections);
            report.AddTimes("kill → all canaries answer", recoveries);
            report.AddTimes("longest pause between ingest acks", stalls);
            report.Add("events sent / acknowledged / counted", $"{producers.Sum(p => p.EventsSent)} / {producers.Sum(p => p.EventsAcknowledged)} / {check.Counted}");
            report.Add("lost / doubled events, abandoned batches", $"{check.EventsLost} / {check.EventsDoubled}, {producers.Sum(p => p.Abandoned)}");
            report.Add("jobs (API) completed exact / submitted / running across a loss", $"{outcomes.Count(j => j.Exact) + afterLoss.Count} / {outcomes.Count + losses.Length} / {spanning}");
            report.Add("silos that exited unexpectedly", unexpected.Count);
            report.Add("wall time", $"{clock.Elapsed.TotalSeconds:F1} s");
            report.Publish(output);
            foreach (var job in outcomes.Where(j => !j.Exact))
            {
                output.WriteLine($"job {job.Id}: {job.Problem}");
            }

            Assert.Empty(failures);
            Assert.Empty(unexpected);
            Assert.Equal(0, producers.Sum(p => p.Abandoned));
            Assert.True(check.Stuck.Count == 0 && check.EventsLost == 0 && check.EventsDoubled == 0, check.ToString());
            Assert.Equal(producers.Sum(p => p.EventsAcknowledged), check.Counted);
            Assert.Equal(producers.Sum(p => p.EventsSent), check.Counted);
            Assert.All(outcomes, j => Assert.True(j.Exact, $"job {j.Id}: {j.Problem}"));
            Assert.True(spanning >= losses.Length, $"only {spanning} job(s) ran across a loss");
            Assert.All(recoveries, r => Assert.True(r <= s_singleLossBound,
                $"the canaries answered only {r.TotalMilliseconds:F0} ms after a host went down (bound {s_singleLossBound}; target p95 {s_failoverTarget})"));
        }
        finally
        {
            foreach (var silo in silos)
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }

            foreach (var http in https)
            {
                http.Dispose();
            }

            try
            {
                Directory.Delete(dataRoot, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Every canary answers: each retried on its own (<paramref name="perTry"/> per try, 50 ms between tries, as
    /// <c>ChurnTests.WaitAllAnswerAsync</c>). Returns the time the last one answered (null if one did not within
    /// <paramref name="limit"/>) and, for the slowest canaries, their tries and how each failed: where the time went.
    /// </summary>
    private static async Task<(TimeSpan? Answered, List<string> Trace)> WaitCanariesAsync(IClusterClient client, string[] counters, HashSet<string> onVictim, Stopwatch since,
        TimeSpan limit, TimeSpan perTry)
    {
        var results = await Task.WhenAll(counters.Select(async c =>
        {
            var tries = new List<string>();
            while (since.Elapsed < limit)
            {
                var at = since.Elapsed;
                try
                {
                    await client.GetGrain<ICounterGrain>(c).Get().WaitAsync(perTry);
                    return (Counter: c, Answered: (TimeSpan?)since.Elapsed, Tries: tries);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    var why = ex is TimeoutException ? "no answer" : $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
                    tries.Add(string.Create(CultureInfo.InvariantCulture, $"{at.TotalMilliseconds:F0}–{since.Elapsed.TotalMilliseconds:F0} ms {why[..Math.Min(why.Length, 140)]}"));
                    await Task.Delay(50);
                }
            }

            return (Counter: c, Answered: (TimeSpan?)null, Tries: tries);
        }));
        var trace = results.OrderByDescending(r => r.Answered ?? TimeSpan.MaxValue).Take(3)
            .SelectMany(r => new[] { $"  canary {r.Counter} ({(onVictim.Contains(r.Counter) ? "was on the lost host" : "on a survivor")}): answered after {Ms(r.Answered)}, {r.Tries.Count} failed tr(ies)" }.Concat(r.Tries.Select(t => "    " + t)))
            .Prepend(string.Create(CultureInfo.InvariantCulture,
                $"  canaries answered within 0.5 / 1 / 1.5 / 2 s of the kill: {string.Join(" / ", new[] { 0.5, 1, 1.5, 2 }.Select(s => results.Count(r => r.Answered is { } a && a.TotalSeconds <= s)))} of {counters.Length}; with a failed try: {results.Count(r => r.Tries.Count > 0)} (on the lost host: {results.Count(r => r.Tries.Count > 0 && onVictim.Contains(r.Counter))})"))
            .ToList();
        return (results.Any(r => r.Answered is null) ? null : results.Max(r => r.Answered), trace);
    }

    /// <summary>
    /// The survivors' membership and connection log lines about <paramref name="victim"/> (connections reset, missed probes,
    /// votes, the eviction, gossip) from the loss to 10 s after it, each with its time since the loss: the stages of the
    /// detection.
    /// </summary>
    private static IEnumerable<string> SurvivorLines(SiloProcess?[] silos, string victim, DateTime lossUtc)
    {
        foreach (var silo in silos.OfType<SiloProcess>())
        {
            foreach (var line in silo.Output.Split('\n'))
            {
                if (line.Length > 13 && line.Contains(victim, StringComparison.Ordinal)
                    && (line.Contains("MembershipService", StringComparison.Ordinal) || line.Contains("Messaging.Connection[", StringComparison.Ordinal)
                        || line.Contains("Messaging.ConnectionManager[", StringComparison.Ordinal))
                    && TimeOnly.TryParseExact(line.AsSpan(0, 12), "HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                {
                    var since = at.ToTimeSpan() - lossUtc.TimeOfDay;
                    if (since > TimeSpan.FromSeconds(-1) && since < TimeSpan.FromSeconds(10))
                    {
                        var text = line.TrimEnd();
                        yield return string.Create(CultureInfo.InvariantCulture, $"  +{since.TotalMilliseconds,6:F0} ms {silo.Name}: {text[13..Math.Min(text.Length, 400)]}");
                    }
                }
            }
        }
    }

    private static string Ms(TimeSpan? time) => time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:F0} ms") : "never";

    /// <summary>
    /// Word-count jobs through the HTTP API (<see cref="OcxClient"/>), one after another until stopped, each call to the next
    /// host that is up; each result compared word for word with the in-test reference.
    /// </summary>
    private sealed class ApiJobs(OcxClient[] apis, Func<int> nextHost, string inputFile, Dictionary<string, long> reference, Stopwatch clock)
    {
        private string? _running;
        private int _ended;

        public sealed record Outcome(string Id, bool Exact, string Problem, TimeSpan Submitted, TimeSpan Ended);

        public ConcurrentQueue<Outcome> Outcomes { get; } = new();

        /// <summary>The id of the loop's job when a status read said it is running with some splits done and some to do, else null.</summary>
        public string? Running => Volatile.Read(ref _running);

        /// <summary>Jobs that ended (exact or not).</summary>
        public int Ended => Volatile.Read(ref _ended);

        public async Task RunAsync(CancellationToken stop)
        {
            for (var n = 0; n < 1000 && !stop.IsCancellationRequested; n++)
            {
                if (await RunOneAsync($"hosts-{n}-{Guid.NewGuid():N}"[..20], trackRunning: true) is { } outcome)
                {
                    Outcomes.Enqueue(outcome);
                    Interlocked.Increment(ref _ended);
                }
            }
        }

        /// <summary>
        /// Submits one job and follows it to its end (at most 3 minutes, whatever any stop signal says: a submitted job must
        /// finish); null if the submit was never answered.
        /// </summary>
        public async Task<Outcome?> RunOneAsync(string id, bool trackRunning = false)
        {
            var submission = new JobSubmission
            {
                Id = id,
                Kind = "word-count",
                Input = new JobInput { Path = inputFile, SplitBytes = 64 * 1024 },
            };
            var submittedAt = clock.Elapsed;
            var submitted = false;
            JobStatusView? status = null;
            while (clock.Elapsed - submittedAt < TimeSpan.FromMinutes(3))
            {
                try
                {
                    var api = apis[nextHost()];
                    if (!submitted)
                    {
                        await api.SubmitJobAsync(submission, CancellationToken.None); // idempotent for the same spec under the same id
                        submitted = true;
                    }

                    status = await api.GetJobAsync(id, CancellationToken.None);
                    if (trackRunning && status.State == JobStates.Running && status.SplitsDone > 0 && status.SplitsDone < status.SplitsTotal)
                    {
                        Volatile.Write(ref _running, id);
                    }

                    if (JobStates.IsTerminal(status.State))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A host went down under the call, or the cluster is failing over: ask again.
                }

                await Task.Delay(100, CancellationToken.None);
            }

            if (trackRunning)
            {
                Volatile.Write(ref _running, null);
            }

            if (!submitted)
            {
                return null;
            }

            if (status?.State != JobStates.Completed)
            {
                return new Outcome(id, false, $"ended {status?.State ?? "unknown"}: {status?.Error}", submittedAt, clock.Elapsed);
            }

            JobResultView? result = null;
            for (var attempt = 0; attempt < 20 && result is null; attempt++)
            {
                try
                {
                    result = await apis[nextHost()].GetJobResultAsync(id, CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    await Task.Delay(300, CancellationToken.None);
                }
            }

            return Compare(id, result?.WordCount, submittedAt, clock.Elapsed);
        }

        private Outcome Compare(string id, WordCountView? result, TimeSpan submitted, TimeSpan ended)
        {
            if (result is null)
            {
                return new Outcome(id, false, "no word-count result", submitted, ended);
            }

            var total = reference.Values.Sum();
            if (result.TotalWords != total || result.DistinctWords != reference.Count || result.Words.Count != reference.Count)
            {
                return new Outcome(id, false, $"total {result.TotalWords} (want {total}), distinct {result.DistinctWords}/{result.Words.Count} (want {reference.Count})",
                    submitted, ended);
            }

            foreach (var word in result.Words)
            {
                if (reference.GetValueOrDefault(word.Word) != word.Count)
                {
                    return new Outcome(id, false, $"'{word.Word}': {word.Count}, want {reference.GetValueOrDefault(word.Word)}", submitted, ended);
                }
            }

            return new Outcome(id, true, "", submitted, ended);
        }
    }
}
