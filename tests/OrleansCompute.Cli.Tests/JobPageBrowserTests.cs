using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// The jobs table at 1400×900 with a 128-character job id (no horizontal overflow, the id cut with an ellipsis and a
/// tooltip, a readable progress label), then the job's own page (/dashboard/jobs/{id}) in headless Chromium while the
/// job runs and after it completed: phase timings, a throughput chart fed while it ran, splits with the silo that ran
/// them (paged, filtered), bad-record samples. Its own silo process maps one split at a time, so the job runs for a while.
/// Screenshots: .ci/out/dashboard-wide-id.png and .ci/out/dashboard-job.png.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xUnit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class JobPageBrowserTests : IAsyncLifetime
{
    private readonly LiveSilo _silo = new(["--OrleansCompute:Compute:Jobs:MaxSplitsInFlight=1", "--OrleansCompute:Compute:SiloMetricsInterval=00:00:01"]);

    private static string Chromium => Environment.GetEnvironmentVariable("OCX_CHROMIUM") ?? "/usr/bin/chromium";

    private static string PlaywrightFolder => Environment.GetEnvironmentVariable("OCX_PLAYWRIGHT") ?? Path.Combine(Repository.Root, ".cache", "playwright");

    public Task InitializeAsync() => _silo.InitializeAsync();

    public Task DisposeAsync() => _silo.DisposeAsync();

    [Fact]
    public async Task Job_page_shows_phases_throughput_splits_with_silos_and_bad_records_and_a_long_id_fits_at_1400px()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium (apt-get install chromium).");
        Assert.True(File.Exists(Path.Combine(PlaywrightFolder, "node_modules", "playwright-core", "package.json")),
            $"playwright-core is missing under {PlaywrightFolder}: ./test.sh installs it.");

        // ~3,000 splits of 1 KiB, one at a time (several seconds); every 500th row lacks its value column (a bad record).
        const int Rows = 360_000;
        var csv = new StringBuilder("city,amount\n");
        for (var i = 0; i < Rows; i++)
        {
            csv.Append(i % 500 == 7 ? $"c{i % 9}\n" : $"c{i % 9},{i % 100}\n");
        }

        var input = _silo.WriteInput("jobpage/sales.csv", csv.ToString());
        var id = ("job-page-" + Guid.NewGuid().ToString("N")).PadRight(MaxIdLength, 'x');
        Assert.Equal(128, id.Length);
        var client = _silo.CreateClient();
        await client.SubmitJobAsync(new JobSubmission
        {
            Id = id,
            Kind = "group-by",
            Input = new JobInput { Path = input, Format = "csv", SplitBytes = 1024 },
            GroupBy = new GroupBySettings { Keys = ["city"], Aggregates = [new AggregateSetting { Function = "sum", Column = "amount" }] },
        });

        var wide = Path.Combine(Repository.ResultsDirectory, "dashboard-wide-id.png");
        var jobShot = Path.Combine(Repository.ResultsDirectory, "dashboard-job.png");
        File.Delete(wide);
        File.Delete(jobShot);
        var profile = Directory.CreateTempSubdirectory("ocx-chromium-");
        try
        {
            var run = await ProcessRunner.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "dashboard-e2e.mjs")], new Dictionary<string, string?>
            {
                ["OCX_PLAYWRIGHT"] = PlaywrightFolder,
                ["OCX_CHROMIUM"] = Chromium,
                ["OCX_URL"] = _silo.Url + ApiRoutes.Dashboard + "#key=" + Uri.EscapeDataString(LiveSilo.ApiKey),
                ["OCX_MODE"] = "jobpage",
                ["OCX_VIEWPORT"] = "1400x900",
                ["OCX_JOB_ID"] = id,
                ["OCX_SCREENSHOT"] = wide,
                ["OCX_JOB_SCREENSHOT"] = jobShot,
                ["OCX_PROFILE"] = profile.FullName,
                ["OCX_TIMEOUT_MS"] = "150000",
            }, timeout: TimeSpan.FromMinutes(4));

            Assert.True(run.ExitCode == 0, run.ToString());
            var seen = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]).RootElement;
            Assert.Empty(seen.GetProperty("problems").EnumerateArray());

            // The jobs table at 1400 px: nothing pushed off-screen, the long id cut with its full text as the tooltip.
            var layout = seen.GetProperty("layout");
            Assert.Equal(1400, layout.GetProperty("viewport").GetInt32());
            Assert.True(layout.GetProperty("pageOverflow").GetInt32() <= 0, layout.ToString());
            Assert.True(layout.GetProperty("panelOverflow").GetInt32() <= 0, layout.ToString());
            Assert.True(layout.GetProperty("rowRight").GetInt32() <= 1400, layout.ToString());
            Assert.True(layout.GetProperty("idTruncated").GetBoolean(), layout.ToString());
            Assert.Equal(id, layout.GetProperty("idTitle").GetString());
            Assert.Equal("dashboard/jobs/" + id, layout.GetProperty("linkHref").GetString());
            Assert.True(layout.GetProperty("labelContrast").GetDouble() >= 7, $"progress label contrast {layout.GetProperty("labelContrast")}");
            Assert.Contains("may fall short", layout.GetProperty("datasetNote").GetString(), StringComparison.Ordinal);
            Assert.Contains("acknowledged", layout.GetProperty("eventsHeader").GetString(), StringComparison.Ordinal);

            // The job page, watched while the job ran.
            Assert.EndsWith("/dashboard/jobs/" + id, seen.GetProperty("jobUrl").GetString(), StringComparison.Ordinal);
            Assert.Contains("running", seen.GetProperty("statesSeen").EnumerateArray().Select(s => s.GetString()));
            Assert.True(seen.GetProperty("samplesWhileRunning").GetInt32() >= 2, $"{seen.GetProperty("samplesWhileRunning")} throughput samples while running");
            Assert.Equal(1, seen.GetProperty("chartPoints").GetInt32());
            Assert.Contains("records/s", seen.GetProperty("throughputNote").GetString(), StringComparison.Ordinal);

            var phases = seen.GetProperty("phases").EnumerateArray().Select(p => (Name: p[0].GetString()!, Time: p[1].GetString()!)).ToList();
            Assert.Equal(["plan", "map", "collect", "finish"], phases.Select(p => p.Name));
            Assert.All(phases, p => Assert.Matches(@"^\d+(\.\d+)? s$|^\d+ min \d+ s$", p.Time));

            var status = await client.GetJobAsync(id);
            Console.WriteLine($"job: {status.SplitsTotal} splits, map {status.MapMs:F0} ms, collect {status.CollectMs:F0} ms, finish {status.FinishMs:F0} ms; {seen.GetProperty("samplesWhileRunning")} throughput samples while running");
            Assert.Equal("completed", status.State);
            Assert.True(status.SplitsTotal > 100, $"{status.SplitsTotal} splits");
            Assert.Equal($"1–50 of {status.SplitsTotal:N0}", seen.GetProperty("splitsPage").GetString());
            var headers = seen.GetProperty("splitHeaders").EnumerateArray().Select(h => h.GetString()!.ToLowerInvariant()).ToList();
            Assert.Equal(["split", "state", "silo", "attempts", "retries", "resumes", "duration", "records", "bad"], headers);
            var splitRows = seen.GetProperty("splitRows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToList()).ToList();
            Assert.Equal(50, splitRows.Count);
            var siloAddress = Assert.Single(status.SplitsBySilo).Key; // one silo: every split ran there
            Assert.Matches(new Regex(@"^127\.0\.0\.1:\d+@\d+$"), siloAddress);
            Assert.All(splitRows, r =>
            {
                Assert.Equal("done", r[1]);
                Assert.Equal(siloAddress, r[2]);
                Assert.Equal("1", r[3]);
                Assert.Equal("0", r[4]);
                Assert.Equal("0", r[5]);
            });
            Assert.Contains(siloAddress, seen.GetProperty("splitsBySilo").GetString(), StringComparison.Ordinal);
            Assert.Equal("50", seen.GetProperty("secondPageFirstSplit").GetString());

            var badRows = seen.GetProperty("badRows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToList()).ToList();
            Assert.True(badRows.Count >= 10, $"{badRows.Count} bad-record samples"); // the default sample cap is 10
            Assert.All(badRows, r => Assert.EndsWith("sales.csv", r[0], StringComparison.Ordinal));
            Assert.StartsWith($"Bad records ({Rows / 500};", seen.GetProperty("badTitle").GetString(), StringComparison.Ordinal);
            Assert.Equal("live", seen.GetProperty("connection").GetString());
            Assert.True(seen.GetProperty("pageOverflow").GetInt32() <= 0);

            foreach (var shot in new[] { wide, jobShot })
            {
                var png = await File.ReadAllBytesAsync(shot);
                Assert.True(png.Length > 10_000, $"{shot} is only {png.Length} bytes");
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            }
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private const int MaxIdLength = 128; // the API's longest job id
}
