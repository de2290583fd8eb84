using System.Text;
using System.Text.Json;
using OrleansCompute.Client;

namespace OrleansCompute.Cli.Tests;

/// <summary>
/// The real <c>ocx</c> (dotnet exec of the built ocx.dll, standard output redirected as in a script) against a
/// real silo process with the co-hosted API.
/// </summary>
[Collection(LiveSiloCollection.Name)]
public sealed class CliLiveTests(LiveSilo silo)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private Task<ProcessResult> Ocx(params string[] args) => OcxWith(LiveSilo.ApiKey, silo.Url, args);

    private static async Task<ProcessResult> OcxWith(string? key, string? url, params string[] args)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [Repository.OcxDll, .. args], new Dictionary<string, string?>
        {
            ["OCX_URL"] = url,
            ["OCX_API_KEY"] = key,
            // A terminal type that supports colour: ocx must still write plain text because stdout is redirected.
            ["TERM"] = "xterm-256color",
            ["NO_COLOR"] = null,
            ["DOTNET_gcServer"] = "0",
        });
        Assert.DoesNotContain('\u001b', result.StandardOutput);
        Assert.DoesNotContain('\u001b', result.StandardError);
        return result;
    }

    private static JsonElement Json(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.StandardOutput).RootElement;
    }

    /// <summary>A text file whose word counts are known: alpha ×600, beta ×250, gamma ×70 (about 7 KB), in shuffled lines.</summary>
    private string KnownWords(string name)
    {
        var words = Enumerable.Repeat("alpha", 600).Concat(Enumerable.Repeat("Beta", 250)).Concat(Enumerable.Repeat("GAMMA", 70)).ToList();
        var random = new Random(7);
        var text = new StringBuilder();
        while (words.Count > 0)
        {
            var take = Math.Min(words.Count, random.Next(1, 6));
            for (var i = 0; i < take; i++)
            {
                var index = random.Next(words.Count);
                text.Append(words[index]).Append(i + 1 < take ? ", " : ".\n");
                words.RemoveAt(index);
            }
        }

        return silo.WriteInput(name, text.ToString());
    }

    [Fact]
    public async Task Job_run_wordcount_watch_json_gives_the_known_counts()
    {
        var input = KnownWords("known-json.txt");

        var json = Json(await Ocx("job", "run", "wordcount", input, "--watch", "--json", "--split-size", "1k"));

        Assert.Equal("completed", json.GetProperty("status").GetProperty("state").GetString());
        Assert.True(json.GetProperty("status").GetProperty("splitsTotal").GetInt32() > 1, "a 1 KiB split size should give several splits");
        var words = json.GetProperty("result").GetProperty("wordCount");
        Assert.Equal(920, words.GetProperty("totalWords").GetInt64());
        Assert.Equal(3, words.GetProperty("distinctWords").GetInt64());
        var rows = words.GetProperty("words").EnumerateArray().Select(w => (w.GetProperty("word").GetString(), w.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("alpha", 600L), ("beta", 250L), ("gamma", 70L)], rows);
    }

    [Fact]
    public async Task The_silo_logs_a_job_submission_under_the_job_routes_and_its_end_without_a_null_placeholder()
    {
        var input = KnownWords("known-log.txt");
        var id = "log-" + Guid.NewGuid().ToString("N")[..8];

        var run = await Ocx("job", "run", "wordcount", input, "--id", id, "--watch", "--json");
        Assert.Equal(0, run.ExitCode);

        // The silo's console lines (simple console format: "HH:mm:ss level: Category[EventId] message").
        string[] lines = [];
        for (var attempt = 0; attempt < 50 && !lines.Any(l => l.Contains($"Job {id} ended", StringComparison.Ordinal)); attempt++)
        {
            await Task.Delay(100);
            lines = silo.Output.Split('\n').Where(l => l.Contains(id, StringComparison.Ordinal)).ToArray();
        }

        Assert.Contains(lines, l => l.Contains("OrleansCompute.Api.Jobs[", StringComparison.Ordinal) && l.Contains($"Job {id} submitted", StringComparison.Ordinal));
        var end = Assert.Single(lines, l => l.Contains($"Job {id} ended", StringComparison.Ordinal));
        Assert.EndsWith("splits)", end.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("(null)", StringComparison.Ordinal) || l.Contains("ApiExceptionHandler", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Job_run_watch_prints_progress_lines_and_a_plain_table_when_redirected()
    {
        var input = KnownWords("known-table.txt");

        var result = await Ocx("job", "run", "word-count", input, "--watch", "--top", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("completed 100%", result.StandardError, StringComparison.Ordinal);
        Assert.Matches(@"920 words, 3 distinct", result.StandardOutput);
        Assert.Matches(@"alpha\s*│\s*600", result.StandardOutput);
        Assert.Matches(@"beta\s*│\s*250", result.StandardOutput);
        Assert.DoesNotContain("gamma", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("no bad records", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_run_without_watch_prints_the_id_then_status_list_and_result_find_it()
    {
        var input = KnownWords("known-id.txt");
        var id = "cli-" + Guid.NewGuid().ToString("N")[..8];

        var run = await Ocx("job", "run", "wordcount", input, "--id", id);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(id, run.StandardOutput.Trim());

        await silo.CreateClient().WaitForJobAsync(id, pollInterval: TimeSpan.FromMilliseconds(100));
        var status = Json(await Ocx("job", "status", id, "--json"));
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal("word-count", status.GetProperty("kind").GetString());

        var list = Json(await Ocx("job", "list", "--json"));
        Assert.Contains(list.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        var latest = Json(await Ocx("job", "list", "--limit", "1", "--json"));
        Assert.Equal(id, Assert.Single(latest.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString());

        var table = await Ocx("job", "list");
        Assert.Contains(id, table.StandardOutput, StringComparison.Ordinal);

        var resultText = await Ocx("job", "result", id, "--top", "1");
        Assert.True(resultText.ExitCode == 0, resultText.ToString());
        Assert.Matches(@"alpha\s*│\s*600", resultText.StandardOutput);
        Assert.DoesNotContain("beta", resultText.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_by_csv_shows_keys_and_aggregates()
    {
        var input = silo.WriteInput("flights.csv", "carrier,delay\nAA,10\nBA,4\nAA,20\nBA,\nAA,x\n");

        var json = Json(await Ocx("job", "run", "groupby", input, "--format", "csv", "--key", "carrier", "--agg", "count", "--agg", "mean:delay", "--watch", "--json"));

        var groups = json.GetProperty("result").GetProperty("groupBy");
        var rows = groups.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("key")[0].GetString()!, r => r.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (decimal?)null : v.GetDecimal()).ToList());
        Assert.Equal([2m, 15m], rows["AA"]);
        Assert.Equal([2m, 4m], rows["BA"]);
        Assert.Equal(1, json.GetProperty("result").GetProperty("badRecords").GetProperty("count").GetInt64());
    }

    /// <summary>Issue 17's reproduction: <c>printf 'k,v\nab"c,1\n'</c> then 1,000 × <c>x,1</c> — Python's csv and DuckDB read 1,001 rows.</summary>
    [Fact]
    public async Task Group_by_over_a_csv_with_a_stray_quote_reads_every_row()
    {
        var input = silo.WriteInput("stray.csv", "k,v\nab\"c,1\n" + string.Concat(Enumerable.Repeat("x,1\n", 1000)));

        var json = Json(await Ocx("job", "run", "groupby", input, "--format", "csv", "--key", "k", "--watch", "--json"));

        var result = json.GetProperty("result");
        Assert.Equal(1001, result.GetProperty("records").GetInt64());
        Assert.Equal(0, result.GetProperty("badRecords").GetProperty("count").GetInt64());
        var rows = result.GetProperty("groupBy").GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("key")[0].GetString(), r.GetProperty("values")[0].GetDecimal())).ToList();
        Assert.Equal([("ab\"c", 1m), ("x", 1000m)], rows);
    }

    /// <summary>Issue 17: "case is ignored unless --case-sensitive" holds in the default substring mode too.</summary>
    [Fact]
    public async Task Filter_ignores_case_unless_case_sensitive_in_substring_and_regex_mode()
    {
        var input = silo.WriteInput("todo.txt", "todo\nTODO\nToDo\n");

        long Matches(JsonElement json) => json.GetProperty("result").GetProperty("filterCount").GetProperty("matches").GetInt64();
        Assert.Equal(3, Matches(Json(await Ocx("job", "run", "filter", input, "--pattern", "todo", "--watch", "--json"))));
        Assert.Equal(3, Matches(Json(await Ocx("job", "run", "filter", input, "--pattern", "todo", "--regex", "--watch", "--json"))));
        Assert.Equal(1, Matches(Json(await Ocx("job", "run", "filter", input, "--pattern", "todo", "--case-sensitive", "--watch", "--json"))));
    }

    /// <summary>Issue 17: a JSON null key is its own group, shown as <c>null</c> in the table and as JSON null with --json.</summary>
    [Fact]
    public async Task Group_by_shows_a_json_null_key_as_null_apart_from_the_empty_string()
    {
        var input = silo.WriteInput("nullkey.jsonl", "{\"k\":null}\n{\"k\":\"\"}\n{\"k\":\"\"}\n{\"k\":null}\n{\"k\":null}\n");

        var json = Json(await Ocx("job", "run", "groupby", input, "--format", "jsonl", "--key", "k", "--watch", "--json"));
        var rows = json.GetProperty("result").GetProperty("groupBy").GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("key")[0].ValueKind, r.GetProperty("key")[0].ToString(), r.GetProperty("values")[0].GetDecimal())).ToList();
        Assert.Equal([(JsonValueKind.String, "", 2m), (JsonValueKind.Null, "", 3m)], rows);

        var table = await Ocx("job", "run", "groupby", input, "--format", "jsonl", "--key", "k", "--watch");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"│\s*│\s*2\s*│", table.StandardOutput);
        Assert.Matches(@"│\s*null\s*│\s*3\s*│", table.StandardOutput);
    }

    /// <summary>Issue 17: <c>g/*.txt</c> runs although <c>g/etc-dirlink → /etc</c> sits next to the files; a glob that reaches the link is refused.</summary>
    [Fact]
    public async Task A_glob_runs_beside_an_unrelated_escaping_link_and_is_refused_when_it_reaches_it()
    {
        var folder = Path.GetDirectoryName(silo.WriteInput(Path.Combine("globlink", "a.txt"), "alpha beta\n"))!;
        silo.WriteInput(Path.Combine("globlink", "b.txt"), "alpha\n");
        Directory.CreateSymbolicLink(Path.Combine(folder, "etc-dirlink"), "/etc");

        var json = Json(await Ocx("job", "run", "wordcount", Path.Combine(folder, "*.txt"), "--watch", "--json"));
        Assert.Equal(3, json.GetProperty("result").GetProperty("wordCount").GetProperty("totalWords").GetInt64());

        var refused = await Ocx("job", "run", "wordcount", Path.Combine(folder, "**", "*.txt"), "--watch");
        Assert.Equal(ExitCodes.ApiError, refused.ExitCode);
        Assert.Contains("symbolic link", refused.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_its_result_exits_1()
    {
        // Enough small splits that the job is still running when the cancel arrives.
        var line = string.Join(' ', Enumerable.Range(0, 40).Select(i => "w" + i)) + "\n";
        var input = silo.WriteInput("big.txt", string.Concat(Enumerable.Repeat(line, 60_000)));
        var id = "cancel-" + Guid.NewGuid().ToString("N")[..8];

        var run = await Ocx("job", "run", "wordcount", input, "--id", id, "--split-size", "4k");
        Assert.True(run.ExitCode == 0, run.ToString());
        var cancel = await Ocx("job", "cancel", id);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());

        var final = await silo.CreateClient().WaitForJobAsync(id, pollInterval: TimeSpan.FromMilliseconds(100));
        Assert.Equal("cancelled", final.State);
        var result = await Ocx("job", "result", id);
        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Contains($"job {id} cancelled", result.StandardError, StringComparison.Ordinal);

        // Deleted (the client waits for splits still in flight); afterwards the id is unknown.
        var delete = await Ocx("job", "delete", id);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Contains($"Job {id} deleted", delete.StandardOutput, StringComparison.Ordinal);
        var gone = await Ocx("job", "status", id);
        Assert.Equal(ExitCodes.ApiError, gone.ExitCode);
        Assert.StartsWith("ocx: 404 ", gone.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_then_top_and_datasets_and_a_rerun_counts_nothing_twice()
    {
        var dataset = "sales-" + Guid.NewGuid().ToString("N")[..6];
        var lines = new List<string>();
        foreach (var (key, count) in new[] { ("a", 5), ("b", 3), ("c", 1) })
        {
            for (var i = 0; i < count; i++)
            {
                lines.Add("{\"key\":\"" + key + "\",\"values\":{\"amount\":" + (i + 1) + "}}");
            }
        }

        var file = Path.Combine(silo.Folder, dataset + ".ndjson");
        await File.WriteAllLinesAsync(file, lines.OrderBy(l => l.GetHashCode(StringComparison.Ordinal)));

        var first = Json(await Ocx("ingest", file, "--dataset", dataset, "--producer", "p1", "--batch", "2", "--json"));
        Assert.Equal(9, first.GetProperty("events").GetInt64());
        Assert.Equal(9, first.GetProperty("applied").GetInt64());
        Assert.Equal(5, first.GetProperty("batches").GetInt32());
        Assert.Equal(1, first.GetProperty("firstSequence").GetInt64());
        Assert.Equal(5, first.GetProperty("lastSequence").GetInt64());

        // Same producer, same sequences: exactly-once means all duplicates.
        var again = Json(await Ocx("ingest", file, "--dataset", dataset, "--producer", "p1", "--batch", "2", "--json"));
        Assert.Equal(0, again.GetProperty("applied").GetInt64());
        Assert.Equal(9, again.GetProperty("duplicates").GetInt64());

        var top = Json(await Ocx("top", dataset, "--k", "2", "--json"));
        var rows = top.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("key").GetString(), r.GetProperty("totals").GetProperty("events").GetInt64())).ToList();
        Assert.Equal([("a", 5L), ("b", 3L)], rows);

        var bySum = Json(await Ocx("top", dataset, "--k", "1", "--metric", "amount:sum", "--json"));
        Assert.Equal(15, bySum.GetProperty("rows")[0].GetProperty("score").GetDouble()); // a: 1+2+3+4+5

        var datasets = Json(await Ocx("datasets", "--json"));
        var entry = datasets.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("name").GetString() == dataset);
        Assert.Equal(9, entry.GetProperty("events").GetInt64());

        var table = await Ocx("top", dataset);
        Assert.Matches(@"│\s*1\s*│\s*a\s*│\s*5\s*│\s*5\s*│", table.StandardOutput);
    }

    [Fact]
    public async Task Ingest_of_other_events_under_a_used_producer_exits_non_zero_and_says_how_to_pick_a_new_producer_or_sequence()
    {
        var dataset = "daily-" + Guid.NewGuid().ToString("N")[..6];
        var day1 = Path.Combine(silo.Folder, dataset + "-day1.ndjson");
        var day2 = Path.Combine(silo.Folder, dataset + "-day2.ndjson");
        await File.WriteAllLinesAsync(day1, Enumerable.Range(0, 30).Select(i => "{\"key\":\"d1-" + i + "\",\"values\":{\"n\":1}}"));
        await File.WriteAllLinesAsync(day2, Enumerable.Range(0, 30).Select(i => "{\"key\":\"d2-" + i + "\",\"values\":{\"n\":1}}"));
        Assert.Equal(30, Json(await Ocx("ingest", day1, "--dataset", dataset, "--producer", "web-1", "--batch", "10", "--json")).GetProperty("applied").GetInt64());

        // The review's mistake: a new day's file with the same fixed --producer. Not "0 applied, 30 duplicates" and exit 0.
        var reuse = await Ocx("ingest", day2, "--dataset", dataset, "--producer", "web-1", "--batch", "10");
        Assert.True(reuse.ExitCode == ExitCodes.ApiError, reuse.ToString());
        Assert.Contains("409", reuse.StandardError, StringComparison.Ordinal);
        Assert.Contains("batch 1 refused: producer web-1 already sent other events as sequence 1", reuse.StandardError, StringComparison.Ordinal);
        Assert.Contains("leave out --producer", reuse.StandardError, StringComparison.Ordinal);
        Assert.Contains("--start-sequence", reuse.StandardError, StringComparison.Ordinal);
        Assert.Contains("sequences above 3", reuse.StandardError, StringComparison.Ordinal);

        var top = Json(await Ocx("top", dataset, "--k", "100", "--json")).GetProperty("rows");
        Assert.Equal(30, top.GetArrayLength());
        Assert.All(top.EnumerateArray(), r => Assert.StartsWith("d1-", r.GetProperty("key").GetString(), StringComparison.Ordinal));

        // Each way out the message names works: a fresh producer, or sequences above the ones used.
        Assert.Equal(30, Json(await Ocx("ingest", day2, "--dataset", dataset, "--batch", "10", "--json")).GetProperty("applied").GetInt64());
        Assert.Equal(30, Json(await Ocx("ingest", day2, "--dataset", dataset, "--producer", "web-1", "--start-sequence", "4", "--batch", "10", "--json")).GetProperty("applied").GetInt64());
    }

    [Fact]
    public async Task Top_works_after_the_reviews_overflowing_posts_which_are_refused_naming_the_value()
    {
        var dataset = "big-" + Guid.NewGuid().ToString("N")[..6];
        using var http = new HttpClient { BaseAddress = new Uri(silo.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", LiveSilo.ApiKey);
        for (var sequence = 1; sequence <= 2; sequence++)
        {
            using var post = await http.PostAsync($"/api/datasets/{dataset}/events?producer=p&sequence={sequence}",
                new StringContent("""[{"key":"z","values":{"b":1e308}}]""", Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, post.StatusCode);
            Assert.Contains("value 'b' is 1E+308", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var file = Path.Combine(silo.Folder, dataset + ".ndjson");
        await File.WriteAllLinesAsync(file, ["{\"key\":\"z\",\"values\":{\"b\":1e288}}", "{\"key\":\"z\",\"values\":{\"b\":1e288}}", "{\"key\":\"y\",\"values\":{\"b\":5}}"]);
        Assert.Equal(3, Json(await Ocx("ingest", file, "--dataset", dataset, "--json")).GetProperty("applied").GetInt64());

        var top = await Ocx("top", dataset, "--metric", "b:sum");
        Assert.True(top.ExitCode == ExitCodes.Ok, top.ToString());
        Assert.Matches(@"│\s*1\s*│\s*z\s*│", top.StandardOutput);
        var json = Json(await Ocx("top", dataset, "--metric", "b:sum", "--json"));
        Assert.Equal(2e288, json.GetProperty("rows")[0].GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Cluster_lists_the_active_silo()
    {
        var json = Json(await Ocx("cluster", "--json"));
        var silos = json.GetProperty("silos").EnumerateArray().ToList();
        var active = Assert.Single(silos, s => s.GetProperty("status").GetString() == "active");
        Assert.Equal("cli-tests", active.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, active.GetProperty("cpuUsage").ValueKind);
        Assert.True(active.GetProperty("memoryUsageBytes").GetInt64() > 0, active.ToString());

        var table = await Ocx("cluster");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("active", table.StandardOutput, StringComparison.Ordinal);
        // CPU and memory where calls/s was.
        Assert.Matches(@"│\s*CPU\s*│\s*memory\s*│", table.StandardOutput);
        Assert.Matches(@"│\s*\d+\.\d %\s*│\s*\d+(\.\d+)? (MiB|GiB)\s*│", table.StandardOutput);
        Assert.DoesNotContain("calls/s", table.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_job_exits_3_with_the_problem_detail_on_one_line()
    {
        var result = await Ocx("job", "status", "no-such-job");

        Assert.Equal(ExitCodes.ApiError, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ocx: 404 ", line, StringComparison.Ordinal);
        Assert.Contains("no-such-job", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_kind_is_refused_by_the_api_with_exit_3()
    {
        var input = KnownWords("kind.txt");

        var result = await Ocx("job", "run", "wordcont", input);

        Assert.Equal(ExitCodes.ApiError, result.ExitCode);
        Assert.StartsWith("ocx: 400 ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("wordcont", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_outside_the_data_roots_is_refused_with_exit_3()
    {
        var result = await Ocx("job", "run", "wordcount", "/etc/passwd");

        Assert.Equal(ExitCodes.ApiError, result.ExitCode);
        Assert.StartsWith("ocx: 400 ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_exits_4()
    {
        var result = await OcxWith(LiveSilo.ApiKey, $"http://127.0.0.1:{LiveSilo.FreePort()}", "job", "list");

        Assert.Equal(ExitCodes.CannotConnect, result.ExitCode);
        Assert.Contains("cannot connect", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-key-wrong-key-wrong")]
    [InlineData(null)]
    public async Task Wrong_or_missing_key_exits_5(string? key)
    {
        var result = await OcxWith(key, silo.Url, "job", "list");

        Assert.Equal(ExitCodes.AuthError, result.ExitCode);
        Assert.StartsWith("ocx: 401 ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--api-key", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_on_the_command_line_overrides_the_environment()
    {
        var result = await OcxWith("wrong-key-wrong-key-wrong", silo.Url, "--api-key", LiveSilo.ApiKey, "datasets");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [InlineData("job", "run")]
    [InlineData("job", "run", "groupby", "x.csv")]
    [InlineData("job", "frobnicate")]
    [InlineData("top", "d", "--k", "ten")]
    [InlineData("ingest", "/no/such/file.ndjson", "--dataset", "d")]
    [InlineData("--url", "ftp://example", "datasets")]
    public async Task Usage_errors_exit_2_before_calling_the_api(params string[] args)
    {
        var result = await Ocx(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("ocx: ", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("ocx: --top expects a whole number, not 'abc'.", "job", "run", "topk", "x.csv", "--format", "csv", "--key", "a", "--top", "abc")]
    [InlineData("ocx: --k expects a whole number, not 'ten'.", "top", "d", "--k", "ten")]
    [InlineData("ocx: Unrecognized command or argument 'bogus'.", "bogus")]
    [InlineData("ocx: --k must be between 1 and 1000 (the API's limit; was 5000).", "top", "d", "--k", "5000")]
    public async Task Usage_errors_say_what_is_wrong_once_without_dotnet_type_names(string expected, params string[] args)
    {
        var result = await Ocx(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var errors = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("ocx: ", StringComparison.Ordinal));
        Assert.Equal([expected], errors);
        Assert.DoesNotContain("System.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_event_file_exits_2_naming_the_line()
    {
        var file = Path.Combine(silo.Folder, "bad.ndjson");
        await File.WriteAllTextAsync(file, "{\"key\":\"a\"}\n{\"key\":\"b\",\"values\":{\"n\":\"x\"}}\n");

        var result = await Ocx("ingest", file, "--dataset", "bad-" + Guid.NewGuid().ToString("N")[..6]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("bad.ndjson:2:", result.StandardError, StringComparison.Ordinal);
    }
}
