using System.Globalization;
using System.Net;
using System.Text;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// A silo hands memory back once it goes idle after jobs (<c>OrleansCompute:Compute:IdleMemoryTrim</c>): the real silo
/// executable, word counts over a file with many distinct words, its resident size read from <c>/proc</c>.
/// </summary>
public sealed class IdleMemoryTests(ITestOutputHelper output)
{
    private const string Key = "idle-memory-key-0123456789abcdef";

    [Fact]
    public async Task After_jobs_an_idle_silo_returns_memory_and_repeated_jobs_do_not_grow_it()
    {
        var ports = LoopbackPorts.Allocate(3);
        var data = Directory.CreateTempSubdirectory("ocx-idle-").FullName;
        // ~24 MB of text with ~600,000 distinct words: each job builds count tables of hundreds of megabytes' worth.
        var random = new Random(17);
        var text = new StringBuilder(24 << 20);
        while (text.Length < 24 << 20)
        {
            text.Append('w').Append(random.Next(600_000).ToString(CultureInfo.InvariantCulture)).Append(random.Next(8) == 0 ? '\n' : ' ');
        }

        File.WriteAllText(Path.Combine(data, "words.txt"), text.ToString());
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, data,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{ports[0]}",
            $"--OrleansCompute:Api:ApiKeys:0={Key}",
            $"--OrleansCompute:Endpoints:SiloPort={ports[1]}",
            $"--OrleansCompute:Endpoints:GatewayPort={ports[2]}",
            "--OrleansCompute:Storage:Provider=sqlite",
            $"--OrleansCompute:Storage:DataDirectory={Path.Combine(data, ".state")}",
            $"--OrleansCompute:Compute:DataRoots:0={data}",
            "--OrleansCompute:Compute:IdleMemoryTrim=00:00:02");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            await silo.WaitForReadyAsync(http, TimeSpan.FromSeconds(90));

            async Task<long> Round(int first, int jobs)
            {
                long peak = 0;
                for (var i = first; i < first + jobs; i++)
                {
                    using var submit = await http.PostAsync("/api/jobs", ApiCluster.Json($"{{\"id\":\"wc{i}\",\"kind\":\"word-count\",\"input\":{{\"path\":\"words.txt\"}}}}"));
                    Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
                    await ApiCluster.WaitAsync(async () =>
                    {
                        var state = (await ApiCluster.ReadJson(await http.GetAsync($"/api/jobs/wc{i}"))).GetProperty("state").GetString();
                        Assert.True(state is "queued" or "running" or "completed", $"job wc{i} ended {state}");
                        return state == "completed";
                    }, TimeSpan.FromSeconds(120), $"job wc{i}");
                    peak = Math.Max(peak, Resident(silo.ProcessId));
                }

                return peak;
            }

            async Task<long> Trimmed(int count)
            {
                await ApiCluster.WaitAsync(() => Task.FromResult(Trims(silo.Output) >= count), TimeSpan.FromSeconds(60),
                    $"trim #{count} in the silo's log");
                return Resident(silo.ProcessId);
            }

            var started = Resident(silo.ProcessId);
            var firstPeak = await Round(0, 3);
            var afterFirst = await Trimmed(1);
            var trimsBefore = Trims(silo.Output);
            var secondPeak = await Round(3, 3);
            var afterSecond = await Trimmed(trimsBefore + 1);
            output.WriteLine($"resident MB: started {Mb(started)}, peak {Mb(firstPeak)}, idle {Mb(afterFirst)}; again peak {Mb(secondPeak)}, idle {Mb(afterSecond)}");
            output.WriteLine(string.Join("\n", silo.Output.Split('\n').Where(l => l.Contains("returned memory", StringComparison.Ordinal))));

            // What was handed back: at least two thirds of what the jobs added above the start (what stays: the finished
            // jobs' grains until Orleans collects them, and code the JIT compiled for the jobs).
            Assert.True(firstPeak - afterFirst >= (firstPeak - started) * 2 / 3,
                $"idle after 3 jobs: {Mb(afterFirst)} MB resident against a peak of {Mb(firstPeak)} MB (started at {Mb(started)} MB)");
            // Repeated jobs do not ratchet the idle level up (a margin for the finished jobs' grains and the JIT's code).
            Assert.True(afterSecond <= afterFirst + (64L << 20),
                $"idle after 3 more jobs: {Mb(afterSecond)} MB against {Mb(afterFirst)} MB after the first three");
        }
        finally
        {
            await silo.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static int Trims(string log) =>
        log.Split('\n').Count(l => l.Contains("returned memory to the system", StringComparison.Ordinal));

    private static long Mb(long bytes) => bytes >> 20;

    /// <summary>The process's resident set size (VmRSS in /proc/PID/status), in bytes.</summary>
    private static long Resident(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
