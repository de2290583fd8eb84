using System.Text.Json;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// The Orleans Dashboard in a real browser: a real silo process with an API key (the co-hosted API serves the dashboard
/// at /orleans-dashboard), a job submitted so that the job grains are active, and Debian's Chromium (headless, driven by
/// playwright-core through orleans-dashboard-e2e.mjs) following our dashboard's link, answering the browser's key prompt,
/// and reading the silos and grain types the Orleans Dashboard shows. Screenshots go to .ci/out.
/// </summary>
[Collection(LiveSiloCollection.Name)]
public sealed class OrleansDashboardBrowserTests(LiveSilo silo)
{
    private static string Chromium => Environment.GetEnvironmentVariable("OCX_CHROMIUM") ?? "/usr/bin/chromium";

    private static string PlaywrightFolder => Environment.GetEnvironmentVariable("OCX_PLAYWRIGHT") ?? Path.Combine(Repository.Root, ".cache", "playwright");

    [Fact]
    public async Task Orleans_dashboard_linked_from_ours_shows_the_silos_and_grain_types_behind_the_api_key()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium (apt-get install chromium).");
        Assert.True(File.Exists(Path.Combine(PlaywrightFolder, "node_modules", "playwright-core", "package.json")),
            $"playwright-core is missing under {PlaywrightFolder}: ./test.sh installs it (npm install --prefix .cache/playwright playwright-core).");

        // A job, so that the product's grains (job, partitions, aggregators) are among the activations shown.
        var input = silo.WriteInput("orleans-dashboard/words.txt", "the grains of the cluster\n");
        var client = silo.CreateClient();
        var id = "odash-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubmitJobAsync(new JobSubmission { Id = id, Kind = "word-count", Input = new JobInput { Path = input } });

        // Without the key, a browser gets the challenge that makes it ask for one.
        using (var http = new HttpClient())
        using (var anonymous = await http.GetAsync(silo.Url + ApiRoutes.OrleansDashboard + "/"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }

        var screenshot = Path.Combine(Repository.ResultsDirectory, "orleans-dashboard.png");
        File.Delete(screenshot);
        var profile = Directory.CreateTempSubdirectory("ocx-chromium-");
        try
        {
            var run = await ProcessRunner.RunAsync("node", [Path.Combine(AppContext.BaseDirectory, "orleans-dashboard-e2e.mjs")], new Dictionary<string, string?>
            {
                ["OCX_PLAYWRIGHT"] = PlaywrightFolder,
                ["OCX_CHROMIUM"] = Chromium,
                ["OCX_URL"] = silo.Url + ApiRoutes.Dashboard,
                ["OCX_API_KEY"] = LiveSilo.ApiKey,
                ["OCX_GRAIN_TYPE"] = "OrleansCompute.Grains.Jobs.JobGrain",
                ["OCX_SCREENSHOT"] = screenshot,
                ["OCX_PROFILE"] = profile.FullName,
                ["OCX_TIMEOUT_MS"] = "60000",
            }, timeout: TimeSpan.FromMinutes(3));

            Assert.True(run.ExitCode == 0, run.ToString());
            var seen = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]).RootElement;
            Assert.Equal(silo.Url + ApiRoutes.OrleansDashboard + "/", seen.GetProperty("landed").GetString());
            Assert.Equal("Orleans Dashboard", seen.GetProperty("title").GetString());
            // Chromium answered the Basic challenge with the key (the 401 itself stays inside the browser's network stack) and
            // got every page and data call.
            Assert.Equal([200], seen.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()).Distinct().Order());
            Assert.Matches(@"^127\.0\.0\.1:\d+@\d+$", Assert.Single(seen.GetProperty("silos").EnumerateArray()).GetString());
            var grainTypes = seen.GetProperty("grainTypes").EnumerateArray().Select(g => g.GetString()).ToList();
            Assert.Equal("JobGrain", seen.GetProperty("shownAs").GetString());
            Assert.Contains("JobRegistryGrain", grainTypes);
            Assert.Empty(seen.GetProperty("problems").EnumerateArray());

            foreach (var png in (string[])[screenshot, screenshot.Replace(".png", "-silos.png", StringComparison.Ordinal)])
            {
                var bytes = await File.ReadAllBytesAsync(png);
                Assert.True(bytes.Length > 10_000, $"{png} is only {bytes.Length} bytes");
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            }
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
