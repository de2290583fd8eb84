using System.Text.Json;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// End to end in a real browser: a real silo process with the co-hosted API, a word-count job submitted
/// through the API, and Debian's Chromium (headless, driven by playwright-core through dashboard-e2e.mjs)
/// watching the dashboard until the job shows as completed. Saves a screenshot to .ci/out (or the test's
/// output folder). test.sh installs chromium and playwright-core when they are missing.
/// </summary>
[Collection(LiveSiloCollection.Name)]
public sealed class DashboardBrowserTests(LiveSilo silo)
{
    private static string Chromium => Environment.GetEnvironmentVariable("OCX_CHROMIUM") ?? "/usr/bin/chromium";

    private static string PlaywrightFolder => Environment.GetEnvironmentVariable("OCX_PLAYWRIGHT") ?? Path.Combine(Repository.Root, ".cache", "playwright");

    [Fact]
    public async Task Dashboard_shows_a_job_submitted_through_the_api_as_completed()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium (apt-get install chromium).");
        Assert.True(File.Exists(Path.Combine(PlaywrightFolder, "node_modules", "playwright-core", "package.json")),
            $"playwright-core is missing under {PlaywrightFolder}: ./test.sh installs it (npm install --prefix .cache/playwright playwright-core).");

        // Enough splits that the page can see the job before it completes on a quiet machine.
        var line = string.Join(' ', Enumerable.Range(0, 30).Select(i => "word" + (i % 7))) + "\n";
        var input = silo.WriteInput("dashboard/words.txt", string.Concat(Enumerable.Repeat(line, 20_000)));
        var id = "dash-" + Guid.NewGuid().ToString("N")[..8];
        var client = silo.CreateClient();
        var submitted = await client.SubmitJobAsync(new JobSubmission
        {
            Id = id,
            Kind = "word-count",
            Input = new JobInput { Path = input, SplitBytes = 64 * 1024 },
        });
        Assert.Equal(id, submitted.Id);

        var screenshot = Path.Combine(Repository.ResultsDirectory, "dashboard-e2e.png");
        File.Delete(screenshot);
        var profile = Directory.CreateTempSubdirectory("ocx-chromium-");
        try
        {
            var run = await ProcessRunner.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "dashboard-e2e.mjs")], new Dictionary<string, string?>
            {
                ["OCX_PLAYWRIGHT"] = PlaywrightFolder,
                ["OCX_CHROMIUM"] = Chromium,
                // The key travels in the fragment (never sent to the server); the page moves it to sessionStorage.
                ["OCX_URL"] = silo.Url + ApiRoutes.Dashboard + "#key=" + Uri.EscapeDataString(LiveSilo.ApiKey),
                ["OCX_JOB_ID"] = id,
                ["OCX_SCREENSHOT"] = screenshot,
                ["OCX_PROFILE"] = profile.FullName,
                ["OCX_TIMEOUT_MS"] = "90000",
            }, timeout: TimeSpan.FromMinutes(3));

            Assert.True(run.ExitCode == 0, run.ToString());
            var seen = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]).RootElement;
            Assert.Equal(200, seen.GetProperty("status").GetInt32());
            Assert.Contains("script-src 'self'", seen.GetProperty("csp").GetString(), StringComparison.Ordinal);
            Assert.Equal("OrleansCompute dashboard", seen.GetProperty("title").GetString());
            Assert.Equal("completed", seen.GetProperty("statesSeen").EnumerateArray().Last().GetString());

            var cells = seen.GetProperty("jobRow").EnumerateArray().Select(c => c.GetString()).ToList();
            Assert.Equal(id, cells[0]);
            Assert.Equal("word-count", cells[1]);
            Assert.Equal("completed", cells[3]);
            Assert.StartsWith("100%", seen.GetProperty("progressText").GetString(), StringComparison.Ordinal);
            Assert.Equal("20,000", cells[5]); // records: one per line

            Assert.Contains("active", seen.GetProperty("siloStatuses").EnumerateArray().Select(s => s.GetString()));
            // Each silo's CPU and memory now (Orleans's runtime statistics), and charts of CPU, memory, GC and calls/s over the
            // last minutes (the silo's samples of the meters the export reads).
            var headers = seen.GetProperty("siloHeaders").EnumerateArray().Select(h => h.GetString()!.ToLowerInvariant()).ToList();
            Assert.Contains("last 10 minutes", headers);
            Assert.Equal(["CPU", "memory", "GC", "calls/s"], seen.GetProperty("siloCharts").EnumerateArray().Select(c => c.GetString()));
            var chartLabels = seen.GetProperty("siloChartLabels").EnumerateArray().Select(c => c.GetString()!).ToList();
            Assert.True(seen.GetProperty("siloSamples").GetInt32() >= 1);
            Assert.Matches(@"^CPU \d+(\.\d)? %$", chartLabels[0]);
            Assert.Matches(@"^working set \d+(\.\d)? (MiB|GiB)$", chartLabels[1]);
            Assert.Matches(@"^GC \d[\d,]* · \d+(\.\d+)? % paused$", chartLabels[2]);
            Assert.Matches(@"^calls/s \d[\d,]*$", chartLabels[3]);
            var siloRow = seen.GetProperty("siloRow").EnumerateArray().Select(c => c.GetString()!).ToList();
            Assert.Matches(@"^\d+(\.\d)? %$", siloRow[headers.IndexOf("cpu")]);
            Assert.Matches(@"^\d+(\.\d)? (MiB|GiB)$", siloRow[headers.IndexOf("memory")]);
            Assert.Matches(@"^\d+(\.\d)? (MiB|GiB)$", seen.GetProperty("memoryCard").GetString());
            Assert.Equal("live", seen.GetProperty("connection").GetString());
            Assert.True(seen.GetProperty("bannerHidden").GetBoolean());
            Assert.Empty(seen.GetProperty("sectionErrors").EnumerateArray());
            Assert.Empty(seen.GetProperty("problems").EnumerateArray());

            var png = await File.ReadAllBytesAsync(screenshot);
            Assert.True(png.Length > 10_000, $"screenshot is only {png.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_key_the_page_asks_for_one_and_shows_the_api_problem()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs it.");
        var profile = Directory.CreateTempSubdirectory("ocx-chromium-");
        try
        {
            var run = await ProcessRunner.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "dashboard-e2e.mjs")], new Dictionary<string, string?>
            {
                ["OCX_PLAYWRIGHT"] = PlaywrightFolder,
                ["OCX_CHROMIUM"] = Chromium,
                ["OCX_URL"] = silo.Url + ApiRoutes.Dashboard,
                ["OCX_MODE"] = "unauthorized",
                ["OCX_API_KEY"] = LiveSilo.ApiKey,
                ["OCX_JOB_ID"] = "-",
                ["OCX_SCREENSHOT"] = Path.Combine(Repository.ResultsDirectory, "dashboard-no-key.png"),
                ["OCX_PROFILE"] = profile.FullName,
            }, timeout: TimeSpan.FromMinutes(2));

            Assert.True(run.ExitCode == 0, run.ToString());
            var seen = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]).RootElement;
            Assert.True(seen.GetProperty("keyFormVisible").GetBoolean());
            Assert.StartsWith("The API needs a key: 401 ", seen.GetProperty("banner").GetString(), StringComparison.Ordinal);
            Assert.Equal(3, seen.GetProperty("sectionErrors").GetArrayLength());
            Assert.Equal("errors", seen.GetProperty("connection").GetString());
            Assert.Equal("live-after-key", seen.GetProperty("afterKey").GetString());
            Assert.Empty(seen.GetProperty("problems").EnumerateArray());
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
