using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// The jobs table at 1400×900 with a 128-character job id (no horizontal overflow, the id cut with an ellipsis and a
/// tooltip, a readable progress label), then the job's own page (/dashboard/jobs/{id}) in headless Chromium while the
/// job runs and after it completed: phase timings, a throughput chart fed while it ran, splits with the silo that ran
/// them (paged, filtered), its result (the first 100 of its 150 groups) and bad-record samples; then the page of a
/// second group-by over JSON Lines whose keys are JSON null, "", the text "null", HTML and a long text (issue 17: null
/// and "" are two groups, shown apart; keys are text, never markup). Its own silo process maps one split at a time, so
/// the first job runs for a while. Screenshots: .ci/out/dashboard-wide-id.png, dashboard-job.png, dashboard-job-result.png.
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
    public async Task Job_page_shows_phases_throughput_splits_with_silos_result_rows_and_bad_records_and_a_long_id_fits_at_1400px()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium (apt-get install chromium).");
        Assert.True(File.Exists(Path.Combine(PlaywrightFolder, "node_modules", "playwright-core", "package.json")),
            $"playwright-core is missing under {PlaywrightFolder}: ./test.sh installs it.");

        // ~3,000 splits of 1 KiB, one at a time (several seconds); every 500th row lacks its value column (a bad record).
        // 150 cities: the job page shows the first 100 groups and says how many there are.
        const int Rows = 360_000;
        var csv = new StringBuilder("city,amount\n");
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < Rows; i++)
        {
            var city = $"c{i % 150:D3}";
            csv.Append(i % 500 == 7 ? $"{city}\n" : $"{city},{i % 100}\n");
            sums[city] = sums.GetValueOrDefault(city) + (i % 500 == 7 ? 0 : i % 100);
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

        // Issue 17: JSON null and "" are two groups; the text "null" is a third; keys are user data (markup, length).
        const string Html = "<img src=x onerror=\"document.body.dataset.injected=1\">";
        var longKey = "long-" + new string('k', 295);
        var keyed = new (string Json, int Count)[] { ("null", 3), ("\"\"", 2), ("\"null\"", 5), ("\"paris\"", 4), (JsonSerializer.Serialize(Html), 1), (JsonSerializer.Serialize(longKey), 6) };
        var ndjson = new StringBuilder();
        foreach (var (json, count) in keyed)
        {
            for (var n = 0; n < count; n++)
            {
                ndjson.Append("{\"k\":").Append(json).Append(",\"v\":").Append(n + 1).Append("}\n");
            }
        }

        var nullsId = "job-page-nulls-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubmitJobAsync(new JobSubmission
        {
            Id = nullsId,
            Kind = "group-by",
            Input = new JobInput { Path = _silo.WriteInput("jobpage/keys.jsonl", ndjson.ToString()), Format = "jsonl" },
            GroupBy = new GroupBySettings { Keys = ["k"], Aggregates = [new AggregateSetting { Function = "count" }, new AggregateSetting { Function = "sum", Column = "v" }] },
        });

        // A word count and a filter whose records hold markup: their results are text too.
        var wordsId = "job-page-words-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubmitJobAsync(new JobSubmission { Id = wordsId, Kind = "word-count", Input = new JobInput { Path = _silo.WriteInput("jobpage/words.txt", "to be or not to be\n") } });
        var filterId = "job-page-filter-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubmitJobAsync(new JobSubmission
        {
            Id = filterId,
            Kind = "filter-count",
            Input = new JobInput { Path = _silo.WriteInput("jobpage/lines.txt", "a <b>bold</b> line\nplain\n<b>again\n") },
            Filter = new FilterSettings { Pattern = "<b>" },
        });

        var wide = Path.Combine(Repository.ResultsDirectory, "dashboard-wide-id.png");
        var jobShot = Path.Combine(Repository.ResultsDirectory, "dashboard-job.png");
        var resultShot = Path.Combine(Repository.ResultsDirectory, "dashboard-job-result.png");
        File.Delete(wide);
        File.Delete(jobShot);
        File.Delete(resultShot);
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
                ["OCX_RESULT_JOB_IDS"] = JsonSerializer.Serialize(new[] { nullsId, wordsId, filterId }),
                ["OCX_RESULT_SCREENSHOT"] = resultShot,
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

            // Its result: the first 100 of 150 groups in key order, with their sums, and where to get the rest.
            var result = seen.GetProperty("result");
            Assert.Equal(["city", "sum(amount)"], result.GetProperty("headers").EnumerateArray().Select(h => h.GetString()!.ToLowerInvariant()));
            Assert.Equal(sums.Take(100).Select(p => (p.Key, p.Value.ToString("N0", CultureInfo.InvariantCulture))), Cells(result).Select(r => (r[0].Text, r[1].Text)));
            Assert.Matches(@"^150 groups from [\d,]+ records", result.GetProperty("summary").GetString());
            var more = result.GetProperty("more").GetString()!;
            Assert.StartsWith("Showing the first 100 of 150 groups.", more, StringComparison.Ordinal);
            Assert.Contains("/api/jobs/{id}/result", more, StringComparison.Ordinal);

            // The JSON Lines job: null and "" are two groups with their own counts, each visibly itself (null in its
            // own style, "" as a quoted empty string, not a blank cell); the text "null" is plain text; the HTML
            // key is text (no element was made of it); the long key is cut, whole in its tooltip; in key order, null last.
            var others = seen.GetProperty("others").EnumerateArray().ToList();
            Assert.Equal(3, others.Count);
            var other = others[0];
            var rows = Cells(other);
            Assert.Equal(
                [("\"\"", "empty-key", "2"), (Html, "", "1"), (longKey, "", "6"), ("null", "", "5"), ("paris", "", "4"), ("null", "null-key", "3")],
                rows.Select(r => (r[0].Text, r[0].ClassName.Contains("empty-key", StringComparison.Ordinal) ? "empty-key" : r[0].ClassName.Contains("null-key", StringComparison.Ordinal) ? "null-key" : "", r[1].Text)));
            Assert.Equal(["3", "1", "21", "15", "10", "6"], rows.Select(r => r[2].Text)); // sum(v): 1+…+n per group
            Assert.Contains("apart from the empty string", rows[^1][0].Title, StringComparison.Ordinal);
            Assert.True(rows[2][0].Cut, "the 300-character key is cut with an ellipsis");
            Assert.Equal(longKey, rows[2][0].Title);
            Assert.All(rows, r => Assert.True(r[^1].Right <= 1400, $"a row ends at {r[^1].Right} px"));
            Assert.All(others, o =>
            {
                Assert.Equal(0, o.GetProperty("injected").GetInt32());
                Assert.Equal(JsonValueKind.Null, o.GetProperty("marker").ValueKind);
                Assert.True(o.GetProperty("pageOverflow").GetInt32() <= 0, o.ToString());
            });
            Assert.StartsWith("6 groups from 21 records", other.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, other.GetProperty("more").ValueKind);

            // The word count: its words by count, ties in word order; the filter: its count and the matching records as text.
            Assert.Equal([("1", "be", "2"), ("2", "to", "2"), ("3", "not", "1"), ("4", "or", "1")], Cells(others[1]).Select(r => (r[0].Text, r[1].Text, r[2].Text)));
            Assert.StartsWith("6 words, 4 distinct, in 1 record (1 split)", others[1].GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Equal(["a <b>bold</b> line", "<b>again"], Cells(others[2]).Select(r => r[2].Text));
            Assert.StartsWith("2 matching of 3 records", others[2].GetProperty("summary").GetString(), StringComparison.Ordinal);

            foreach (var shot in new[] { wide, jobShot, resultShot })
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

    private static List<List<ResultCell>> Cells(JsonElement table) =>
        [.. table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => new ResultCell(
            c.GetProperty("text").GetString()!, c.GetProperty("className").GetString()!, c.GetProperty("title").GetString()!,
            c.GetProperty("cut").GetBoolean(), c.GetProperty("right").GetInt32())).ToList())];

    private sealed record ResultCell(string Text, string ClassName, string Title, bool Cut, int Right);
}
