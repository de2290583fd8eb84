using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orleans;
using Orleans.Runtime;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Integration.Tests;

/// <summary>
/// Scale out and drain with real processes (issue 20 points 1 and 2): redis-server and Orleans silo processes clustered
/// through it (Redis grain state), each co-hosting the HTTP API; continuous HTTP ingest with a ledger; word-count jobs
/// checked against a count made here.
/// </summary>
[Collection("integration")]
public sealed class ScaleOutTests(ITestOutputHelper output) : IDisposable
{
    private const string Dataset = "scale";
    private readonly string _data = Directory.CreateTempSubdirectory("ocx-scale-").FullName;

    /// <summary>
    /// 1 silo ingesting, then 2 more start: the dataset's 16 stream partitions spread evenly over all 3 within 60 s
    /// (6, 5 and 5), the next job's 16 splits run on all 3 silos (none runs more than half), and the ingested totals
    /// are exact: acknowledged == counted, with no error answer while partitions moved.
    /// </summary>
    [Fact]
    public async Task New_silos_take_stream_partitions_within_60_s_and_a_share_of_the_next_job()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "so-" + Guid.NewGuid().ToString("N")[..6];
        var silos = new List<SiloProcess>();
        try
        {
            silos.Add(await Start(redis, clusterId, "silo1"));
            await using var cluster = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId);
            var management = cluster.Client.GetGrain<IManagementGrain>(0);
            string[] apis = [silos[0].ApiBaseAddress!]; // replaced whole (the producers read it concurrently)
            await using var ingest = new IngestLoad(Dataset, 400, () => apis);
            ingest.Start(producers: 4, batchSize: 40);
            Assert.True(await WaitFor(async () => ingest.Acknowledged > 2_000 && (await CountByType(management, "StreamPartitionGrain")).Values.Sum() == 16, TimeSpan.FromSeconds(60)),
                "ingest did not get going on one silo");

            var joining = new[] { Start(redis, clusterId, "silo2"), Start(redis, clusterId, "silo3") };
            try
            {
                await Task.WhenAll(joining);
            }
            finally
            {
                silos.AddRange(joining.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)); // stopped below whatever happens
            }

            apis = [.. silos.Select(s => s.ApiBaseAddress!)];

            var clock = Stopwatch.StartNew();
            var before = ingest.Acknowledged;
            output.WriteLine($"silo2 and silo3 ready; {before} events acknowledged by then");

            // Stream partitions: spread evenly over the 3 silos (6, 5, 5) within 60 s of the new silos being ready.
            Dictionary<SiloAddress, int> spread = [];
            var spreadIn = await WaitFor(async () =>
            {
                spread = await CountByType(management, "StreamPartitionGrain");
                return spread.Count == 3 && spread.Values.Min() >= 5 && spread.Values.Max() <= 6 && spread.Values.Sum() == 16;
            }, TimeSpan.FromSeconds(90)) ? clock.Elapsed : (TimeSpan?)null;
            output.WriteLine($"stream partitions per silo: {Describe(spread)}; spread after {spreadIn?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "never"} s");
            Assert.True(spreadIn is { } t && t < TimeSpan.FromSeconds(60), $"stream partitions did not spread to the new silos within 60 s: {Describe(spread)}");

            // The next job: 16 splits of 64 KiB; every silo runs some, none more than half.
            var (input, reference) = WriteWords(_data, lines: 20_000);
            var (status, result) = await RunJob(cluster.Client, "scale-job", input);
            Assert.Equal(JobState.Completed, status.State);
            Assert.True(status.SplitsTotal >= 12, $"only {status.SplitsTotal} splits");
            AssertExact(reference, result);
            // The job status says which silo ran each split (splitsBySilo); the partition activations per silo agree.
            var bySilo = status.SplitsBySilo;
            var described = string.Join(", ", bySilo.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"));
            var activations = await CountByType(management, "PartitionGrain");
            output.WriteLine($"job {status.SplitsTotal} splits, per silo {described} (activations {Describe(activations)}); retries {status.Retries}");
            Assert.Equal(3, bySilo.Count(kv => kv.Value > 0));
            Assert.All(silos, s => Assert.Contains(bySilo, kv => kv.Key.StartsWith(s.SiloEndpoint + "@", StringComparison.Ordinal) && kv.Value > 0));
            Assert.Equal(status.SplitsTotal, bySilo.Values.Sum());
            Assert.True(bySilo.Values.Max() * 2 <= status.SplitsTotal, $"a silo ran more than half of the splits: {described}");

            var ledger = await StopAndCheckIngest(ingest, silos);
            Assert.True(ledger > before, "ingest made no progress after the silos joined");
        }
        finally
        {
            await DisposeAll(silos);
        }
    }

    /// <summary>
    /// 3 silos, a running job and continuous ingest; the silo hosting the job grain gets SIGTERM. It exits 0 within its
    /// drain time (OrleansCompute:Hosting:DrainTimeout, 20 s here), leaves the membership table as Dead by itself, the job
    /// completes with the exact result, and ingest loses and doubles nothing, with retries only (no error answer).
    /// </summary>
    [Fact]
    public async Task A_silo_told_to_stop_drains_within_its_drain_time_and_jobs_and_ingest_see_only_retries()
    {
        var drainTime = TimeSpan.FromSeconds(20);
        await using var redis = await RedisServer.StartAsync();
        var clusterId = "dr-" + Guid.NewGuid().ToString("N")[..6];
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                // One after another: three silos starting at once on a busy 2-core machine can miss their own probes.
                silos.Add(await Start(redis, clusterId, $"silo{i}", string.Create(CultureInfo.InvariantCulture, $"--OrleansCompute:Hosting:DrainTimeout={drainTime}"),
                    "--OrleansCompute:Compute:Jobs:MaxSplitsInFlight=2"));
            }

            await using var cluster = await SiloClusterClient.ConnectAsync(redis.ConnectionString, clusterId);
            var management = cluster.Client.GetGrain<IManagementGrain>(0);
            var live = silos.ToList();
            await using var ingest = new IngestLoad(Dataset, 400, () => { lock (live) { return [.. live.Select(s => s.ApiBaseAddress!)]; } });
            ingest.Start(producers: 4, batchSize: 40);

            // A job of ~370 splits of 4 KiB, two at a time (long enough to be running when the signal comes).
            var (input, reference) = WriteWords(_data, lines: 40_000);
            var jobId = "drain-job";
            var job = cluster.Client.GetGrain<IJobGrain>(jobId);
            await job.Submit(Spec(jobId, input, 4 * 1024));
            Assert.True(await WaitFor(async () => (await job.GetStatus()).SplitsDone >= 4, TimeSpan.FromSeconds(120)), "the job did not start mapping");
            var jobSilo = await management.GetActivationAddress(job);
            var victim = silos.Single(s => jobSilo is not null && s.SiloPort == jobSilo.Endpoint.Port);
            var atSignal = await job.GetStatus();
            output.WriteLine($"SIGTERM to {victim.Name} (hosts the job grain) at {atSignal.SplitsDone}/{atSignal.SplitsTotal} splits, {ingest.Acknowledged} events acknowledged");

            var stopping = Stopwatch.StartNew();
            victim.Terminate();
            var exited = await Task.WhenAny(victim.WaitForExitAsync(), Task.Delay(drainTime + TimeSpan.FromSeconds(30))) is var done && victim.HasExited;
            var drained = stopping.Elapsed;
            lock (live)
            {
                live.Remove(victim);
            }

            output.WriteLine($"{victim.Name} exited {(exited ? victim.ExitCode.ToString(CultureInfo.InvariantCulture) : "not")} after {drained.TotalSeconds:F1} s");
            Assert.True(exited, $"{victim.Name} did not exit:\n{Tail(victim.Output)}");
            Assert.True(victim.ExitCode == 0, $"{victim.Name} exited {victim.ExitCode}:\n{Tail(victim.Output)}");
            Assert.True(drained <= drainTime, $"the drain took {drained}, more than the drain time {drainTime}");
            var row = (await SiloClusterClient.ReadMembershipAsync(redis.ConnectionString, clusterId)).Single(r => r.SiloName == victim.Name);
            Assert.True(row.IsDead, $"the stopped silo's membership row is {row.Status}, not Dead");

            // The job completes, exactly; ingest goes on through the other two silos.
            var (status, result) = await RunJob(cluster.Client, jobId, input, 4 * 1024, submit: false);
            Assert.True(atSignal.SplitsDone < atSignal.SplitsTotal, "the job had finished before the signal");
            output.WriteLine($"job {status.State}: {status.SplitsDone}/{status.SplitsTotal} splits, retries {status.Retries}, resumes {status.Resumes}; per silo "
                + string.Join(", ", status.SplitsBySilo.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")));
            Assert.Equal(JobState.Completed, status.State);
            AssertExact(reference, result);
            Assert.Equal(status.SplitsTotal, status.SplitsBySilo.Values.Sum());
            Assert.All(silos.Where(s => s != victim), s => Assert.Contains(status.SplitsBySilo, kv => kv.Key.StartsWith(s.SiloEndpoint + "@", StringComparison.Ordinal)));
            var after = ingest.Acknowledged;
            Assert.True(await WaitFor(() => Task.FromResult(ingest.Acknowledged > after + 2_000), TimeSpan.FromSeconds(60)), "ingest made no progress after the drain");

            await StopAndCheckIngest(ingest, silos);
        }
        finally
        {
            await DisposeAll(silos);
        }
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Task<SiloProcess> Start(RedisServer redis, string clusterId, string name, params string[] extra) => SiloProcess.StartAsync(new SiloProcessOptions
    {
        Name = name,
        Redis = redis.ConnectionString,
        ClusterId = clusterId,
        ApiPort = 0,
        ExtraArguments = [$"--OrleansCompute:Compute:DataRoots:0={_data}", .. extra],
    });

    /// <summary>
    /// Stops the ingest and checks it: no error answer, every acknowledged event counted once. On errors, prints what the API
    /// nodes logged (a 500 answer names only its trace id). Returns the acknowledged count.
    /// </summary>
    private async Task<long> StopAndCheckIngest(IngestLoad ingest, List<SiloProcess> silos)
    {
        await ingest.StopAsync();
        var (ledger, counted, mismatches) = await ingest.CheckAsync();
        output.WriteLine($"ingest: acknowledged {ledger}, counted {counted}, retried attempts {ingest.Retries}, errors {ingest.Errors.Count}");
        if (!ingest.Errors.IsEmpty)
        {
            foreach (var silo in silos)
            {
                output.WriteLine($"--- {silo.Name} ({silo.ApiBaseAddress}): failures logged");
                output.WriteLine(string.Join("\n", silo.Output.Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal)
                    || l.Contains("Exception", StringComparison.Ordinal)).Take(40)));
            }
        }

        Assert.True(ingest.Errors.IsEmpty, string.Join("\n", ingest.Errors));
        Assert.Empty(mismatches);
        Assert.Equal(ledger, counted);
        return ledger;
    }

    private static ComputeJobSpec Spec(string jobId, string input, long splitBytes) => new()
    {
        JobId = jobId,
        Kind = "word-count",
        Input = new InputSpec { Path = input, Format = InputFormat.Text, TargetSplitBytes = splitBytes },
        WordCount = new WordCountOptions(),
    };

    /// <summary>Submits (unless already submitted) and follows the job to its end, through retries, for up to 4 minutes.</summary>
    private static async Task<(JobStatus Status, ComputeJobResult? Result)> RunJob(IClusterClient client, string jobId, string input, long splitBytes = 64 * 1024, bool submit = true)
    {
        var job = client.GetGrain<IJobGrain>(jobId);
        var clock = Stopwatch.StartNew();
        JobStatus? status = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            try
            {
                if (submit)
                {
                    await job.Submit(Spec(jobId, input, splitBytes));
                    submit = false;
                }

                status = await job.GetStatus();
                if (status.State is JobState.Completed or JobState.Failed or JobState.Cancelled)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A silo left under the call: ask again.
            }

            await Task.Delay(250);
        }

        return (status!, status?.State == JobState.Completed ? await job.GetResult() : null);
    }

    private static void AssertExact(Dictionary<string, long> reference, ComputeJobResult? result)
    {
        var words = Assert.IsType<WordCountResult>(result?.Value);
        Assert.Equal(reference.Values.Sum(), words.TotalWords);
        Assert.Equal(reference.Count, words.Words.Count);
        Assert.All(words.Words, w => Assert.Equal(reference.GetValueOrDefault(w.Word), w.Count));
    }

    /// <summary>Activations of the grain class named <paramref name="shortName"/> per active silo.</summary>
    private static async Task<Dictionary<SiloAddress, int>> CountByType(IManagementGrain management, string shortName)
    {
        var hosts = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        return (await management.GetSimpleGrainStatistics(hosts))
            .Where(s => ShortName(s.GrainType) == shortName)
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
    }

    private static string ShortName(string grainType)
    {
        var end = grainType.IndexOfAny([',', '`', '[']);
        var name = end < 0 ? grainType : grainType[..end];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static string Describe(Dictionary<SiloAddress, int> counts) =>
        string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Endpoint.Port}: {kv.Value}")));

    private static async Task<bool> WaitFor(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The cluster is changing under the probe: ask again.
            }

            await Task.Delay(500);
        }

        return false;
    }

    /// <summary>Lines of lowercase words (spaces and newlines only) and their reference count.</summary>
    private static (string Path, Dictionary<string, long> Counts) WriteWords(string folder, int lines)
    {
        var random = new Random(20);
        var vocabulary = Enumerable.Range(0, 300).Select(i => $"w{(char)('a' + (i % 26))}{(char)('a' + (i / 26))}q").ToArray();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var text = new StringBuilder();
        for (var line = 0; line < lines; line++)
        {
            var words = random.Next(4, 12);
            for (var w = 0; w < words; w++)
            {
                var word = vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 2))];
                counts[word] = counts.GetValueOrDefault(word) + 1;
                text.Append(word).Append(w + 1 < words ? ' ' : '\n');
            }
        }

        var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"words-{lines}.txt"));
        File.WriteAllText(path, text.ToString());
        return (path, counts);
    }

    private static string Tail(string log) => log.Length <= 6000 ? log : log[^6000..];

    private static async Task DisposeAll(List<SiloProcess> silos)
    {
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }
    }
}
